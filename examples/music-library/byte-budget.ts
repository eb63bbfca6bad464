/**
 * The memory limit of batch processing: files are parsed concurrently up to `concurrency`, and
 * also only while the bytes of the files being parsed stay under a budget, so a batch of large
 * FLACs cannot take the process past its memory limit. A file larger than the whole budget runs
 * alone. FIFO, so a large file is not starved by small ones.
 */
export class ByteBudget {
  #inUse = 0;
  readonly #queue: { bytes: number; resolve: () => void }[] = [];

  constructor(readonly limitBytes: number) {}

  get inUse(): number {
    return this.#inUse;
  }

  async use<T>(bytes: number, fn: () => Promise<T>): Promise<T> {
    if (this.#queue.length > 0 || !this.#fits(bytes)) {
      await new Promise<void>((resolve) => this.#queue.push({ bytes, resolve }));
    } else this.#inUse += bytes;
    try {
      return await fn();
    } finally {
      this.#inUse -= bytes;
      this.#drain();
    }
  }

  #fits(bytes: number): boolean {
    return this.#inUse === 0 || this.#inUse + bytes <= this.limitBytes;
  }

  #drain(): void {
    while (this.#queue.length > 0 && this.#fits(this.#queue[0]!.bytes)) {
      const next = this.#queue.shift()!;
      this.#inUse += next.bytes;
      next.resolve();
    }
  }
}
