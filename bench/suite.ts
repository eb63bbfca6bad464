/** One result line: `{"suite","case","lib","backend", ...figures}`. */
export interface BenchRecord {
  readonly suite: string;
  readonly case: string;
  readonly lib: string;
  readonly backend: string;
  readonly [figure: string]: string | number | boolean;
}

export interface BenchOptions {
  /** Scale factor for iteration counts; `--quick` sets 0.1 for smoke runs. */
  readonly scale: number;
}

export interface BenchSuite {
  readonly description: string;
  run(emit: (record: BenchRecord) => void, options: BenchOptions): Promise<void>;
}
