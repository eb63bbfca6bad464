import type { BreakerRegistry } from '../policies/index.js';
import type { Logger } from 'pino';
import { AbortedError, classify as defaultClassify } from '../errors/index.js';
import type { Lease, Outcome } from '../store/index.js';
import { CommitBuffer } from './commit-buffer.js';
import type { RunObserver } from './run-observer.js';
import type { RunOptions, RunnerOptions } from './run-options.js';
import { seedRun } from './seed.js';
import { createServiceCaller, type Services } from './services.js';
import type { StageDefinition } from './stage.js';
import { StageWorker } from './stage-worker.js';
import { onItemsAdded } from './wakeups.js';
import { WorkerPresence } from './worker-presence.js';

/** The run-level `progress` checkpoint: items finished at a time, and the one before it. */
export interface ProgressCheckpoint {
  readonly at: number;
  readonly finished: number;
  readonly previous?: { readonly at: number; readonly finished: number };
}

export interface ActiveRunEnv {
  readonly leaseMs: number;
  readonly now: () => number;
  readonly logger: Logger;
  readonly observer: RunObserver;
}

/** One execution of a run by one runner: its workers, buffer, heartbeats and reclaim sweep. */
export class ActiveRun {
  readonly #owner: string;
  readonly #runId: string;

  get runId(): string {
    return this.#runId;
  }

  get observer(): RunObserver {
    return this.#env.observer;
  }

  /** The breakers of every service this run built, by service (none with caller's services). */
  breakerRegistries(): { readonly service: string; readonly registry: BreakerRegistry }[] {
    const found = [];
    for (const [service, policy] of this.#ownServices?.policies ?? []) {
      if (policy.breakers) found.push({ service, registry: policy.breakers });
    }
    return found;
  }

  readonly #options: RunnerOptions;
  readonly #env: ActiveRunEnv;
  readonly #buffer: CommitBuffer;
  readonly #workers: StageWorker[];
  readonly #seedAbort = new AbortController();
  #seeding = true;
  #stopped = false;
  #finished: ((status: 'completed' | 'stopped') => void) | undefined;
  #checking = false;
  #recheck = false;
  #workersDone: Promise<void> | undefined;
  #until: 'drained' | 'stopped' = 'drained';
  #presence: WorkerPresence | undefined;
  #finishedAttempts = 0;
  #checkpointing: Promise<void> = Promise.resolve();
  /** The services this run built (and so closes); undefined when the caller passed its own. */
  readonly #ownServices: Services | undefined;

  constructor(owner: string, runId: string, options: RunnerOptions, env: ActiveRunEnv) {
    this.#owner = owner;
    this.#runId = runId;
    this.#options = options;
    this.#env = env;
    const { store, pipeline } = options;
    this.#buffer = new CommitBuffer(store, {
      ...options.commit,
      now: env.now,
      onFlush: (result, outcomes) => {
        if (result.fenced.length > 0) {
          env.logger.warn(
            { fenced: result.fenced.length },
            'outcomes dropped: their leases had expired and were reclaimed',
          );
        }
        if (options.onCommitted) options.onCommitted(appliedOutcomes(outcomes, result.fenced));
        for (const outcome of outcomes) {
          if (outcome.kind === 'complete' && outcome.next) this.#worker(outcome.next.stage)?.wake();
          else if (outcome.kind === 'retry' || outcome.kind === 'release') {
            this.#worker(outcome.lease.stage)?.wake();
          }
        }
        this.#checkDone();
      },
      onError: (error) => env.logger.error({ err: error }, 'group commit failed; will retry'),
    });
    const { observer } = env;
    const built = options.services
      ? undefined
      : createServiceCaller(pipeline.services, {
          observer,
          ...(observer.tracing ? { tracing: observer.tracing } : {}),
          ...(options.coordination ? { shared: options.coordination } : {}),
        });
    this.#ownServices = built;
    const services = options.services ?? built!;
    this.#workers = pipeline.stages.map(
      (stage, index) =>
        new StageWorker(stage as StageDefinition, {
          store,
          runId,
          owner: owner,
          leaseMs: env.leaseMs,
          pollMs: options.pollMs ?? 50,
          now: env.now,
          buffer: this.#buffer,
          classify: options.classify ?? defaultClassify,
          logger: env.logger,
          nextStage: options.independentStages ? undefined : pipeline.stages[index + 1]?.name,
          ...(options.maxAttemptsOf ? { maxAttemptsOf: options.maxAttemptsOf } : {}),
          onAttempt: (report) => {
            observer.attempt(report);
            options.onAttempt?.(report);
            if (++this.#finishedAttempts % (options.checkpointEvery ?? 1000) === 0) {
              void this.checkpoint();
            }
          },
          ...(observer.tracing ? { tracing: observer.tracing } : {}),
          onClaimed: (count) => observer.claimed(count),
          onIdleChange: () => this.#checkDone(),
          context: {
            pipeline: pipeline.name,
            dryRun: false,
            services,
            logger: env.logger,
            saveCheckpoint: async (item, state) => {
              await store.commit([{ kind: 'checkpoint', lease: item, state }], env.now());
              observer.checkpointSaved();
            },
            addUsage: (name, amount) => observer.usage(name, amount),
          },
        }),
    );
  }

  async execute(options: RunOptions<unknown>): Promise<'completed' | 'stopped'> {
    this.#until = options.until ?? 'drained';
    const done = new Promise<'completed' | 'stopped'>((resolve) => (this.#finished = resolve));
    const presence = new WorkerPresence({
      store: this.#options.store,
      owner: this.#owner,
      runId: this.#runId,
      intervalMs: Math.max(1_000, Math.floor(this.#env.leaseMs / 3)),
      now: this.#env.now,
      logger: this.#env.logger,
    });
    this.#presence = presence;
    await presence.start();
    const timers = this.#startTimers();
    const unsubscribe = onItemsAdded(this.#options.store, (runId, stage) => {
      if (runId === this.#runId) this.#worker(stage)?.wake();
      else if (runId === '') for (const worker of this.#workers) worker.wake();
    });
    const unwatchLink = this.#watchCoordination();
    this.#workersDone = Promise.all(this.#workers.map((worker) => worker.run())).then(
      () => undefined,
    );
    let seedError: { readonly error: unknown } | undefined;
    const seeding = (async () => {
      try {
        if (options.seed) {
          await seedRun({
            store: this.#options.store,
            runId: this.#runId,
            stage: this.#workers[0]!.stage.name,
            source: options.seed,
            ...(options.limit === undefined ? {} : { limit: options.limit }),
            now: this.#env.now,
            signal: this.#seedAbort.signal,
            onBatch: () => this.#workers[0]!.wake(),
          });
        }
        this.#seeding = false;
        this.#checkDone();
      } catch (error) {
        // A bad seed item or a failing source: stop cleanly, keep what was done, then rethrow.
        // (Aborted by stop() is not an error: the run is just stopped.)
        if (!this.#stopped) seedError = { error };
        this.#finished?.('stopped');
      }
    })();
    try {
      const status = await done;
      if (seedError) throw seedError.error;
      this.#report();
      return status;
    } finally {
      for (const worker of this.#workers) worker.stopClaiming();
      await this.#workersDone;
      await this.#buffer.flush();
      for (const timer of timers) clearInterval(timer);
      unsubscribe();
      unwatchLink();
      this.#seedAbort.abort();
      await seeding;
      if (this.#ownServices) {
        await Promise.all([...this.#ownServices.policies.values()].map((p) => p.close()));
      }
      await presence.stop();
      this.#presence = undefined;
    }
  }

  /** One warning when the fleet's shared state goes away, one line when it is back. */
  #watchCoordination(): () => void {
    const link = this.#options.coordination;
    if (!link) return () => {};
    const { logger, observer } = this.#env;
    observer.coordinationShared(link.backend.kind, link.shared);
    const fallback = link.onFallback((event) => {
      logger.warn(
        { err: event.error, backend: event.backend },
        'shared coordination unreachable: rate limits and breakers are local until it returns',
      );
      observer.coordinationFellBack(event.backend);
    });
    const rejoin = link.onRejoin((event) => {
      logger.info(
        { backend: event.backend, down_ms: event.downMs },
        'shared coordination is back: rate limits and breakers are shared again',
      );
      observer.coordinationShared(event.backend, true);
    });
    return () => {
      fallback.dispose();
      rejoin.dispose();
    };
  }

  /** Saves the run's `progress` checkpoint and summary (serialised: one write at a time). */
  checkpoint(): Promise<void> {
    const { store } = this.#options;
    const { now, observer, logger } = this.#env;
    this.#checkpointing = this.#checkpointing.then(async () => {
      try {
        const at = now();
        const previous = (await store.getCheckpoint(this.#runId, 'progress'))?.state as
          ProgressCheckpoint | undefined;
        const counts = await store.counts(this.#runId);
        const finished = Object.values(counts).reduce(
          (sum, c) => sum + c.completed + c.dead + c.skipped,
          0,
        );
        const progress: ProgressCheckpoint = {
          at,
          finished,
          ...(previous ? { previous: { at: previous.at, finished: previous.finished } } : {}),
        };
        await store.putCheckpoint(this.#runId, 'progress', progress, at);
        await store.saveSummary(this.#runId, observer.summary.toJSON(), at);
        observer.checkpointSaved();
      } catch (error) {
        logger.error({ err: error }, 'progress checkpoint failed');
      }
    });
    return this.#checkpointing;
  }

  async stop(deadlineMs: number): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#seedAbort.abort(new AbortedError('shutdown'));
    for (const worker of this.#workers) worker.stopClaiming();
    void this.#presence?.stopping();
    const drained = this.#workersDone ?? Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = await Promise.race([
      drained.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), deadlineMs))),
    ]);
    clearTimeout(timer);
    if (late) {
      this.#env.logger.warn({ deadlineMs }, 'shutdown deadline passed: aborting running handlers');
      for (const worker of this.#workers)
        worker.abortRunning(new AbortedError('shutdown deadline'));
      // Handlers that ignore their signal are given back now; a late commit of theirs is fenced.
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 1000))]);
      for (const worker of this.#workers) worker.releaseRunning();
    }
    await this.#buffer.flush();
    this.#finished?.('stopped');
  }

  #worker(stage: string): StageWorker | undefined {
    return this.#workers.find((worker) => worker.stage.name === stage);
  }

  #startTimers(): ReturnType<typeof setInterval>[] {
    const { store } = this.#options;
    const { leaseMs, now, logger } = this.#env;
    const heartbeat = setInterval(
      () => {
        const leases = this.#workers.flatMap((worker) => worker.leases());
        if (leases.length === 0) return;
        store
          .heartbeat(
            this.#owner,
            leases.map(({ runId, stage, id, token }) => ({ runId, stage, id, token })),
            leaseMs,
            now(),
          )
          .then((extended) => {
            if (extended < leases.length) {
              logger.warn(
                { lost: leases.length - extended },
                'leases lost before their handlers ended',
              );
            }
          })
          .catch((error: unknown) => logger.error({ err: error }, 'heartbeat failed'));
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    const reclaim = setInterval(
      () => {
        store
          .reclaimExpired(now(), 1000, { runId: this.#runId })
          .then((reclaimed) => {
            // Other workers may have finished the last items: look again now and then.
            this.#checkDone();
            if (reclaimed === 0) return;
            this.#env.observer.reclaimed(reclaimed);
            logger.warn({ reclaimed }, 'reclaimed items whose leases expired');
            for (const worker of this.#workers) worker.wake();
          })
          .catch((error: unknown) => logger.error({ err: error }, 'reclaim sweep failed'));
      },
      Math.max(10, Math.floor(leaseMs / 2)),
    );
    // Gauges a scrape should see fresh: queue depth and items in flight, once a second.
    const report = setInterval(() => this.#report(), 1000);
    for (const timer of [heartbeat, reclaim, report]) timer.unref();
    return [heartbeat, reclaim, report];
  }

  /** Queue depth and in-flight gauges, refreshed on the reclaim tick. */
  #report(): void {
    const { observer } = this.#env;
    if (!observer.metrics) return;
    for (const worker of this.#workers) observer.inFlight(worker.stage.name, worker.inFlightCount);
    this.#options.store
      .counts(this.#runId)
      .then((counts) => observer.queueDepth(counts))
      .catch((error: unknown) => this.#env.logger.error({ err: error }, 'status check failed'));
  }

  /** Finishes the run once nothing is seeding, running, buffered, or left in the store. */
  #checkDone(): void {
    if (this.#stopped || this.#seeding || this.#until === 'stopped') return;
    if (!this.#workers.every((worker) => worker.idle) || this.#buffer.size > 0) return;
    if (this.#checking) {
      this.#recheck = true;
      return;
    }
    this.#checking = true;
    void this.#options.store
      .counts(this.#runId)
      .then((counts) => {
        const open = Object.values(counts).reduce(
          (sum, c) => sum + c.pending + c.leased + c.retry_wait,
          0,
        );
        const quiet = this.#workers.every((worker) => worker.idle) && this.#buffer.size === 0;
        if (open === 0 && quiet) this.#finished?.('completed');
      })
      .catch((error: unknown) => this.#env.logger.error({ err: error }, 'status check failed'))
      .finally(() => {
        this.#checking = false;
        if (this.#recheck) {
          this.#recheck = false;
          this.#checkDone();
        }
      });
  }
}

/** The outcomes of a commit that applied: all but those whose lease came back fenced. */
function appliedOutcomes(outcomes: readonly Outcome[], fenced: readonly Lease[]): Outcome[] {
  if (fenced.length === 0) return [...outcomes];
  const stale = new Set(
    fenced.map((lease) => `${lease.token}\u0000${lease.stage}\u0000${lease.id}`),
  );
  return outcomes.filter(
    (o) => !stale.has(`${o.lease.token}\u0000${o.lease.stage}\u0000${o.lease.id}`),
  );
}
