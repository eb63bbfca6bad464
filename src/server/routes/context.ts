import type { Store } from '../../store/index.js';
import type { BreakerControl, WorkerSource } from '../control.js';

/** What every route module is given: the server's parts. */
export interface RouteContext {
  readonly store: Store;
  /** Wall clock in ms, for store writes and ETAs. */
  readonly now: () => number;
  /** The live breakers of the process serving the API, when it runs pipelines. */
  readonly breakers: BreakerControl | undefined;
  /** The workers to list: the fleet registry, or this process. */
  readonly workers: WorkerSource | undefined;
}
