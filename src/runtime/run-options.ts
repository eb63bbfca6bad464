import type { Logger } from 'pino';
import type { SharedStateLink } from '../coordination/index.js';
import type { Classifier } from '../errors/index.js';
import type { MetricsRecorder, RunSummary, SluiceTracing } from '../observe/index.js';
import type { ClaimedItem, Outcome, Store, StageCounts } from '../store/index.js';
import type { Pipeline } from './define-pipeline.js';
import type { ServiceCaller } from './service-caller.js';
import type { Source } from './sources.js';
import type { AttemptReport } from './stage-worker.js';

export interface RunnerOptions {
  readonly store: Store;
  readonly pipeline: Pipeline;
  /** Lease owner ID of this process. Default host:pid:random. */
  readonly owner?: string;
  /** How long a claimed item stays ours without a heartbeat. Default 30 s. */
  readonly leaseMs?: number;
  /**
   * How often an idle stage looks for work added by other processes (a cheap read). Work added
   * in this process (a Queue on the same store object, a commit) wakes it at once. Default 50 ms.
   */
  readonly pollMs?: number;
  readonly commit?: { readonly maxBatch?: number; readonly maxDelayMs?: number };
  readonly logger?: Logger;
  readonly classify?: Classifier;
  /** Default: built from the pipeline's service definitions. */
  readonly services?: ServiceCaller;
  /**
   * Share every service's rate limit and circuit breakers with the other processes on the same
   * backend (`new SharedStateLink({ backend: new RedisCoordination({ client }) })` from
   * `sluice/redis`). Default: in-process. Ignored when `services` is given.
   */
  readonly coordination?: SharedStateLink;
  /** Wall-clock milliseconds; injectable for tests. */
  readonly now?: () => number;
  readonly onAttempt?: (report: AttemptReport) => void;
  /**
   * After each group commit, the outcomes it applied (fenced ones left out): what the store
   * now holds, for exactly-once accounting in drills and tests. Checkpoints are included.
   */
  readonly onCommitted?: (applied: readonly Outcome[]) => void;
  /**
   * Save a `progress` checkpoint (items finished, time, the summary so far) with the run every
   * this many finished attempts, so `getRunStatus` can show throughput and ETA from any process.
   * Default 1000; the last one is always saved when the run stops or completes.
   */
  readonly checkpointEvery?: number;
  /** Prometheus metrics to record into (see createMetrics). Default: none. */
  readonly metrics?: MetricsRecorder;
  /**
   * Spans through @opentelemetry/api (no-op until the application registers an SDK). Default:
   * on, with the global tracer; `false` turns span creation off entirely.
   */
  readonly tracing?: SluiceTracing | false;
  /**
   * Stages are separate queues rather than a chain: a stage's output goes nowhere. The job queue
   * runs one stage per job type this way.
   */
  readonly independentStages?: boolean;
  /** Per-item attempt limit overriding the stage's (a job's own maxAttempts). */
  readonly maxAttemptsOf?: (item: ClaimedItem) => number | undefined;
}

export interface RunOptions<T = unknown> {
  /** Default: the newest unfinished run of this pipeline, else a new one. */
  readonly runId?: string;
  /** Items for the first stage; seeding is idempotent by item ID. */
  readonly seed?: Source<T>;
  /** Take at most this many items from the seed. */
  readonly limit?: number;
  /** `failed`: send the run's dead and waiting items back to pending first. */
  readonly resume?: 'all' | 'failed';
  /** `drained` (default): return once no work is left. `stopped`: keep waiting for work. */
  readonly until?: 'drained' | 'stopped';
}

export interface RunResult {
  readonly runId: string;
  /** `completed`: no work left; `stopped`: shut down early, resumable; `cancelled`. */
  readonly status: 'completed' | 'stopped' | 'cancelled';
  readonly counts: Readonly<Record<string, StageCounts>>;
  /** Per stage and service figures of this execution (also stored with the run). */
  readonly summary?: RunSummary;
}
