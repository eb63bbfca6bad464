import type { Logger } from 'pino';
import type { HttpClient } from '../http/index.js';

/** A JSON value: what items, outputs and checkpoints must be, since they are stored. */
export type Json =
  null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** One item a handler sends on to the next stage (fan-out). */
export interface EmittedItem<T> {
  /** Stable id, unique within the next stage; re-emitting the same id is a no-op. */
  readonly id: string;
  readonly input: T;
  readonly priority?: number;
}

export interface CallOptions {
  /** Scopes per-key policies (a breaker and limiter per host, say). */
  readonly key?: string;
}

/** What a stage handler gets besides its item. */
export interface StageContext<Out = unknown, Service extends string = string> {
  readonly runId: string;
  readonly pipeline: string;
  readonly stage: string;
  readonly itemId: string;
  /** 1 on the first try of this item at this stage. */
  readonly attempt: number;
  /** Aborted on the stage timeout and on shutdown: hand it to every I/O call. */
  readonly signal: AbortSignal;
  /** True in a dry run: handlers run, nothing is written. Skip your own side effects too. */
  readonly dryRun: boolean;
  /** A child logger bound to run, stage, item and attempt. */
  readonly log: Logger;
  /** The state this item saved with `checkpoint` on an earlier attempt, if any. */
  readonly savedCheckpoint: Json | undefined;
  /** Runs `fn` under the named service's composed policies (rate limit, timeout, retry, breaker...). */
  call<T>(
    service: Service,
    fn: (context: { readonly signal: AbortSignal; readonly attempt: number }) => Promise<T> | T,
    options?: CallOptions,
  ): Promise<T>;
  /**
   * The named service's HTTP client (`get`, `post`, `json`, `stream`): pooled, each request
   * under the service's policies with breaker and limiter per host, aborted with `signal`.
   */
  http(service: Service): HttpClient;
  /** Sends items to the next stage instead of the return value (one article, many images). */
  emit(items: Iterable<EmittedItem<Out>> | EmittedItem<Out>): void;
  /** Reports progress within this item (0..1, or a count), shown in status. */
  progress(done: number): void;
  /** Saves per-item state so a later attempt can resume half-done work. */
  checkpoint(state: Json): Promise<void>;
  /** Adds to a usage counter of the run summary (LLM tokens, cost, bytes). */
  readonly metrics: { add(name: string, amount: number): void };
}

export interface StageRetryOptions {
  /** Attempts per item at this stage before it becomes a dead letter. Default 5. */
  readonly maxAttempts?: number;
  /** Delay before the next attempt: initialMs * factor^(attempt-1), capped. */
  readonly backoff?: {
    readonly initialMs?: number;
    readonly factor?: number;
    readonly capMs?: number;
    readonly jitter?: 'none' | 'full' | 'equal';
  };
}

export interface StageDefinition<In = unknown, Out = unknown, Service extends string = string> {
  readonly name: string;
  readonly handler: (item: In, context: StageContext<Out, Service>) => Promise<Out> | Out;
  /** Items of this stage running at once in one worker. Default 1. */
  readonly concurrency?: number;
  /** Items claimed per store round trip. Default max(concurrency * 2, 32). */
  readonly batchSize?: number;
  readonly retry?: StageRetryOptions;
  /** Per-attempt time limit for the handler; its signal aborts at the deadline. */
  readonly timeoutMs?: number;
  /** Claim order across stages of one worker: higher first. Default 0. */
  readonly priority?: number;
  /** Services this stage calls; checked against the pipeline's services at load. */
  readonly services?: readonly Service[];
}

/** Declares one stage; the identity function that lets TypeScript infer In and Out. */
export function stage<In, Out, Service extends string = string>(
  definition: StageDefinition<In, Out, Service>,
): StageDefinition<In, Out, Service> {
  return definition;
}
