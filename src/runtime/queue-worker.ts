import type { Logger } from 'pino';
import type { MetricsRecorder, SluiceTracing } from '../observe/index.js';
import type { Store } from '../store/index.js';
import { definePipeline } from './define-pipeline.js';
import { queueRunId, type JobEnvelope } from './queue.js';
import { Runner, type RunResult } from './runner.js';
import type { StageContext, StageDefinition, StageRetryOptions } from './stage.js';

export interface JobHandlerOptions {
  /** Jobs of this type running at once in this worker. Default 1. */
  readonly concurrency?: number;
  readonly batchSize?: number;
  readonly retry?: StageRetryOptions;
  readonly timeoutMs?: number;
}

export interface QueueWorkerOptions {
  readonly store: Store;
  readonly queue?: string;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  readonly logger?: Logger;
  readonly commit?: { readonly maxBatch?: number; readonly maxDelayMs?: number };
  readonly metrics?: MetricsRecorder;
  readonly tracing?: SluiceTracing | false;
}

/**
 * Works a queue: one stage per handled job type, claimed by priority then due time, leased,
 * retried with backoff, dead-lettered after maxAttempts. Runs until `stop()`.
 */
export class QueueWorker {
  readonly #options: QueueWorkerOptions;
  readonly #stages: StageDefinition[] = [];
  #runner: Runner | undefined;

  constructor(options: QueueWorkerOptions) {
    this.#options = options;
  }

  handle<T>(
    type: string,
    handler: (payload: T, context: StageContext) => unknown,
    options: JobHandlerOptions = {},
  ): this {
    if (this.#runner) throw new Error('handle() must be called before start()');
    this.#stages.push({
      ...options,
      name: type,
      handler: (envelope: unknown, context) =>
        handler((envelope as JobEnvelope<T>).payload, context),
    });
    return this;
  }

  /** Resolves when the worker has stopped (after `stop()`). */
  async start(): Promise<RunResult> {
    const name = this.#options.queue ?? 'default';
    const pipeline = definePipeline({ name: queueRunId(name), version: '1', stages: this.#stages });
    this.#runner = new Runner({
      store: this.#options.store,
      pipeline,
      independentStages: true,
      maxAttemptsOf: (item) => (item.input as JobEnvelope).maxAttempts,
      ...(this.#options.leaseMs === undefined ? {} : { leaseMs: this.#options.leaseMs }),
      ...(this.#options.pollMs === undefined ? {} : { pollMs: this.#options.pollMs }),
      ...(this.#options.logger ? { logger: this.#options.logger } : {}),
      ...(this.#options.commit ? { commit: this.#options.commit } : {}),
      ...(this.#options.metrics ? { metrics: this.#options.metrics } : {}),
      ...(this.#options.tracing === undefined ? {} : { tracing: this.#options.tracing }),
    });
    return this.#runner.run({ runId: queueRunId(name), until: 'stopped' });
  }

  stop(options?: { readonly deadlineMs?: number }): Promise<void> {
    return this.#runner?.stop(options) ?? Promise.resolve();
  }
}
