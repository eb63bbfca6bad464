/** One scenario's figures: `{"suite":"drill","case":<scenario>,...}` with --json. */
export interface DrillResult {
  readonly items: number;
  readonly completed: number;
  /** Items the store does not hold as completed at the end. */
  readonly lost: number;
  /** Items whose completion the store applied more than once (from the commit ledger). */
  readonly duplicates: number;
  /** Handler starts, all stages: at-least-once means >= items. */
  readonly executions: number;
  /** Worst time from a fault ending (restart, return) to the next applied commit, seconds. */
  readonly recovery_s: number;
  readonly pass: boolean;
  /** Scenario-specific figures (kills, fallbacks, exit codes...). */
  readonly [extra: string]: number | boolean | string;
}

export interface DrillOptions {
  /** Smaller counts and fewer faults, for CI smoke runs. */
  readonly quick: boolean;
  /** A fresh temp directory the scenario may use; removed afterwards. */
  readonly dir: string;
}

export interface DrillScenario {
  readonly name: string;
  readonly description: string;
  /** Why it cannot run here, or undefined (checked before running: a missing tool says so). */
  unavailable?(): string | undefined;
  run(options: DrillOptions): Promise<DrillResult>;
}
