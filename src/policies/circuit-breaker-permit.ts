/**
 * Permits: the circuit breaker's lower-level API for callers that run the work themselves (an
 * HTTP client settling on response headers, a stream settling on its end). A permit remembers
 * the breaker generation it was issued in and reports exactly once; it is a small class rather
 * than a bundle of closures so issuing one costs a single object.
 */

/** Admission to run one call yourself; settle it exactly once (later settlements are no-ops). */
export interface BreakerPermit {
  success(durationMs: number): void;
  failure(error: unknown, durationMs: number): void;
  /** The call neither succeeded nor failed (it was not made); in HALF_OPEN the permit returns. */
  ignore(): void;
}

/** Where permits report; the breaker implements it once, over its private state. */
export interface PermitSink {
  succeeded(generation: number, durationMs: number): void;
  failed(generation: number, error: unknown, durationMs: number, callerAborted: boolean): void;
  ignored(generation: number): void;
}

export class Permit implements BreakerPermit {
  #done = false;
  readonly #sink: PermitSink;
  readonly #generation: number;
  readonly #signal: AbortSignal | undefined;

  constructor(sink: PermitSink, generation: number, signal: AbortSignal | undefined) {
    this.#sink = sink;
    this.#generation = generation;
    this.#signal = signal;
  }

  success(durationMs: number): void {
    if (this.#done) return;
    this.#done = true;
    this.#sink.succeeded(this.#generation, durationMs);
  }

  failure(error: unknown, durationMs: number): void {
    if (this.#done) return;
    this.#done = true;
    this.#sink.failed(this.#generation, error, durationMs, this.#signal?.aborted === true);
  }

  ignore(): void {
    if (this.#done) return;
    this.#done = true;
    this.#sink.ignored(this.#generation);
  }
}

/** What a DISABLED breaker hands out: nothing is recorded, so nothing needs remembering. */
export const untrackedPermit: BreakerPermit = Object.freeze({
  success: () => {},
  failure: () => {},
  ignore: () => {},
});
