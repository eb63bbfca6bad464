import { randomBytes } from 'node:crypto';
import { InvalidConfigError } from '../errors/index.js';
import { createTracing, type SluiceTracing } from '../observe/index.js';
import { itemsAdded } from './wakeups.js';
import type { SeedItem, Store } from '../store/index.js';

/** Options of one job. */
export interface JobOptions {
  /** Higher runs first. Default 0. */
  readonly priority?: number;
  /** Not before this many ms from now. Default 0. */
  readonly delayMs?: number;
  /** Attempts before the job becomes a dead letter; default: its handler's setting (5). */
  readonly maxAttempts?: number;
  /** The job's ID: enqueueing the same key again is a no-op while the job exists. */
  readonly dedupeKey?: string;
}

export interface JobRequest<T = unknown> {
  readonly type: string;
  readonly payload: T;
  readonly options?: JobOptions;
}

/** How a job is stored: its payload plus the per-job settings the worker needs. */
export interface JobEnvelope<T = unknown> {
  readonly payload: T;
  readonly maxAttempts?: number;
}

/** The run and pipeline a queue lives in: a queue is a long-lived run, a job type a stage. */
export const queueRunId = (name: string): string => `queue.${name}`;

/**
 * Enqueues jobs. A job is a one-stage pipeline item on the same tables and machinery as
 * pipelines: leases, retries with backoff, dead letters, priorities, resume after a crash.
 */
export class Queue {
  readonly name: string;
  readonly #store: Store;
  readonly #now: () => number;
  readonly #tracing: SluiceTracing | undefined;
  #ready: Promise<unknown> | undefined;

  constructor(options: {
    readonly store: Store;
    readonly name?: string;
    readonly now?: () => number;
    /** A PRODUCER span per enqueue, its context stored with the jobs. Default on; `false`: off. */
    readonly tracing?: SluiceTracing | false;
  }) {
    this.name = options.name ?? 'default';
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$/.test(this.name)) {
      throw new InvalidConfigError('queue.name', 'letters, digits, "-", "_" or "."', this.name);
    }
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#tracing = options.tracing === false ? undefined : (options.tracing ?? createTracing());
  }

  /** Adds one job; `created` is false when its dedupeKey already names a job. */
  async enqueue<T>(
    type: string,
    payload: T,
    options: JobOptions = {},
  ): Promise<{ id: string; created: boolean }> {
    const { ids, inserted } = await this.enqueueMany([{ type, payload, options }]);
    return { id: ids[0]!, created: inserted === 1 };
  }

  /** Adds many jobs in as few transactions as there are job types. */
  async enqueueMany(
    jobs: readonly JobRequest[],
  ): Promise<{ ids: string[]; inserted: number; existing: number }> {
    await this.#ensureRun();
    const now = this.#now();
    const span = this.#tracing?.startEnqueueSpan({
      pipeline: queueRunId(this.name),
      stage: jobs[0]?.type ?? '',
      count: jobs.length,
    });
    // The workers' CONSUMER spans continue this trace (or link to it, for late retries).
    const traceContext = span?.traceContext ?? undefined;
    const byType = new Map<string, SeedItem[]>();
    const ids = jobs.map((job, index) => {
      const field = jobs.length === 1 ? 'job' : `jobs[${index}]`;
      checkJob(job, field);
      const id = job.options?.dedupeKey ?? jobId();
      const envelope: JobEnvelope =
        job.options?.maxAttempts === undefined
          ? { payload: job.payload }
          : { payload: job.payload, maxAttempts: job.options.maxAttempts };
      const items = byType.get(job.type) ?? [];
      items.push({
        id,
        input: envelope,
        priority: job.options?.priority ?? 0,
        availableAt: now + (job.options?.delayMs ?? 0),
        ...(traceContext ? { traceContext } : {}),
      });
      byType.set(job.type, items);
      return id;
    });
    let inserted = 0;
    let existing = 0;
    try {
      for (const [type, items] of byType) {
        const result = await this.#store.seedItems(queueRunId(this.name), type, items, now);
        inserted += result.inserted;
        existing += result.existing;
        itemsAdded(this.#store, queueRunId(this.name), type);
      }
    } catch (error) {
      if (span) this.#tracing!.finish(span.span, { error });
      throw error;
    }
    if (span) this.#tracing!.finish(span.span, { outcome: 'enqueued' });
    return { ids, inserted, existing };
  }

  #ensureRun(): Promise<unknown> {
    this.#ready ??= this.#store
      .createRun(
        { id: queueRunId(this.name), pipeline: queueRunId(this.name), pipelineVersion: '1' },
        this.#now(),
      )
      .catch((error: unknown) => {
        this.#ready = undefined;
        throw error;
      });
    return this.#ready;
  }
}

function checkJob(job: JobRequest, field: string): void {
  if (typeof job.type !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(job.type)) {
    throw new InvalidConfigError(
      `${field}.type`,
      'a job type of letters, digits, "-", "_" or "."',
      job.type,
    );
  }
  const options = job.options ?? {};
  const checks: [keyof JobOptions, boolean, string][] = [
    [
      'priority',
      options.priority === undefined || Number.isInteger(options.priority),
      'an integer',
    ],
    [
      'delayMs',
      options.delayMs === undefined || (Number.isFinite(options.delayMs) && options.delayMs >= 0),
      'a number >= 0',
    ],
    [
      'maxAttempts',
      options.maxAttempts === undefined ||
        (Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1),
      'an integer >= 1',
    ],
    [
      'dedupeKey',
      options.dedupeKey === undefined ||
        (typeof options.dedupeKey === 'string' && options.dedupeKey !== ''),
      'a non-empty string',
    ],
  ];
  for (const [name, ok, expected] of checks) {
    if (!ok) throw new InvalidConfigError(`${field}.options.${name}`, expected, options[name]);
  }
}

let lastMs = 0;
let sequence = 0;

/**
 * A job ID that sorts by creation time (like UUIDv7): milliseconds, a counter within the
 * millisecond, then randomness. New IDs land at the end of the (run, stage, id) index instead of
 * at random places in it, which keeps enqueue fast as the table grows.
 */
export function jobId(now: number = Date.now()): string {
  if (now === lastMs) sequence += 1;
  else {
    lastMs = now;
    sequence = 0;
  }
  return `${now.toString(36).padStart(9, '0')}-${sequence.toString(36).padStart(4, '0')}-${randomBytes(5).toString('hex')}`;
}
