import type { Logger } from 'pino';
import type { BreakerRegistry } from '../policies/index.js';
import {
  createLogger,
  createTracing,
  evaluateHealth,
  runDependencyChecks,
  type HealthOptions,
  type HealthReport,
  type SluiceTracing,
} from '../observe/index.js';
import { ActiveRun } from './active-run.js';
import { RunObserver } from './run-observer.js';
import type { RunOptions, RunResult, RunnerOptions } from './run-options.js';
import { createWorkerId } from './worker-id.js';

export type * from './run-options.js';
export type { ProgressCheckpoint } from './active-run.js';

/**
 * Runs a pipeline over the store until no item is left to do, or until stopped. Several runners
 * (processes, machines) may work the same run: claims never overlap, and leases fence commits.
 */
export class Runner {
  readonly owner: string;
  readonly #options: RunnerOptions;
  readonly #leaseMs: number;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #tracing: SluiceTracing | undefined;
  #active: ActiveRun | undefined;

  constructor(options: RunnerOptions) {
    this.#options = options;
    this.owner = options.owner ?? createWorkerId();
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? createLogger().component('runtime');
    this.#tracing = options.tracing === false ? undefined : (options.tracing ?? createTracing());
  }

  async run<T>(options: RunOptions<T> = {}): Promise<RunResult> {
    if (this.#active) throw new Error('this runner is already running; create another Runner');
    const { store, pipeline } = this.#options;
    const runId = options.runId ?? (await this.#defaultRunId());
    const { run } = await store.createRun(
      {
        id: runId,
        pipeline: pipeline.name,
        pipelineVersion: pipeline.version,
        options: options.limit === undefined ? {} : { limit: options.limit },
      },
      this.#now(),
    );
    if (run.status === 'cancelled') {
      return { runId, status: 'cancelled', counts: await store.counts(runId) };
    }
    if (options.resume === 'failed') await store.resetFailed(runId, {}, this.#now());
    if (run.status !== 'running') await store.setRunStatus(runId, 'running', this.#now());

    const observer = new RunObserver({
      runId,
      pipeline: pipeline.name,
      metrics: this.#options.metrics,
      tracing: this.#tracing,
      now: this.#now,
    });
    const active = new ActiveRun(this.owner, runId, this.#options, {
      leaseMs: this.#leaseMs,
      now: this.#now,
      logger: this.#logger.child({ run_id: runId, pipeline: pipeline.name }),
      observer,
    });
    this.#active = active;
    try {
      let status: RunResult['status'] = await active.execute(options);
      const summary = observer.finish();
      await active.checkpoint(); // the last progress checkpoint, with the final summary
      // Cancelled from elsewhere (API, CLI) while we ran: the work left was skipped; say so.
      if ((await store.getRun(runId))?.status === 'cancelled') status = 'cancelled';
      else if (status === 'completed') await store.setRunStatus(runId, 'completed', this.#now());
      const counts = await store.counts(runId);
      observer.queueDepth(counts);
      return { runId, status, counts, summary };
    } finally {
      this.#active = undefined;
    }
  }

  /**
   * Graceful shutdown: stop claiming, let running handlers finish within `deadlineMs` (default
   * 25 s), then abort their signals, give back what is still running, and flush every outcome.
   * Resolves when `run` has returned `stopped`.
   */
  async stop(options: { readonly deadlineMs?: number } = {}): Promise<void> {
    await this.#active?.stop(options.deadlineMs ?? 25_000);
  }

  /**
   * The circuit breakers of the run in progress, per service (empty when idle): what the
   * monitoring server's breakerControl and the CLI's progress view read.
   */
  breakerRegistries(): { readonly service: string; readonly registry: BreakerRegistry }[] {
    return this.#active?.breakerRegistries() ?? [];
  }

  /**
   * The health verdict of the run in progress (undefined when idle): success rates per stage and
   * service over the last minutes, breaker states, the lease-reclaim rate, the age of the last
   * success, and a database check. Data for the server's /health and the CLI.
   */
  async health(options: HealthOptions = {}): Promise<HealthReport | undefined> {
    const active = this.#active;
    if (!active) return undefined;
    const { store } = this.#options;
    const counts = await store.counts(active.runId).catch(() => ({}));
    const pending = Object.fromEntries(
      Object.entries(counts).map(([stage, c]) => [stage, c.pending + c.retry_wait]),
    );
    const dependencies = await runDependencyChecks([
      { name: 'database', critical: true, check: () => store.getRun(active.runId) },
    ]);
    return evaluateHealth({ ...active.observer.health.input(pending), dependencies }, options);
  }

  async #defaultRunId(): Promise<string> {
    const { store, pipeline } = this.#options;
    const unfinished = await store.listRuns(
      { pipeline: pipeline.name, status: 'running' },
      { limit: 1 },
    );
    return unfinished.items[0]?.id ?? `${pipeline.name}-${this.#now().toString(36)}`;
  }
}
