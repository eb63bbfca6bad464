import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Store, WorkerStatus } from '../store/index.js';

export interface WorkerPresenceOptions {
  readonly store: Store;
  /** The lease owner ID, which is the worker's ID in the registry. */
  readonly owner: string;
  readonly runId: string;
  /** How often the registration is renewed. */
  readonly intervalMs: number;
  readonly now: () => number;
  readonly logger: Logger;
}

/**
 * This process in the store's worker registry (`listWorkers`) while it works on a run:
 * registered at start, renewed every `intervalMs` (its heartbeat), marked `stopping` on a
 * graceful shutdown and removed at the end. Best effort: a failed registration or renewal is
 * logged once per outage and retried at the next tick, and never stops the run (the registry is
 * for operators; leases, not the registry, decide who may commit).
 */
export class WorkerPresence {
  readonly #options: WorkerPresenceOptions;
  #status: WorkerStatus = 'running';
  #timer: ReturnType<typeof setInterval> | undefined;
  #failing = false;
  #renewing: Promise<void> = Promise.resolve();

  constructor(options: WorkerPresenceOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    await this.#renew();
    this.#timer = setInterval(() => void this.#renew(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Says the worker stopped claiming (shutdown in progress). */
  async stopping(): Promise<void> {
    this.#status = 'stopping';
    await this.#renew();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#renewing;
    const { store, owner, logger } = this.#options;
    await store
      .deregisterWorker(owner)
      .catch((error: unknown) => logger.warn({ err: error }, 'worker deregistration failed'));
  }

  #renew(): Promise<void> {
    const { store, owner, runId, now, logger } = this.#options;
    this.#renewing = this.#renewing.then(() =>
      store
        .registerWorker(
          { id: owner, host: hostname(), pid: process.pid, runs: [runId], status: this.#status },
          now(),
        )
        .then(
          () => {
            if (this.#failing) logger.info('worker registration renewed again');
            this.#failing = false;
          },
          (error: unknown) => {
            if (!this.#failing) logger.warn({ err: error }, 'worker registration failed');
            this.#failing = true;
          },
        ),
    );
    return this.#renewing;
  }
}
