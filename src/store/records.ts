import type { FailureCategory } from '../errors/index.js';
import type { ItemState } from './item-state.js';

/**
 * The plain records the store hands out and takes in. Times are integer milliseconds since the
 * epoch, always supplied by the caller; payloads (`input`, `output`, `checkpoint`, `options`,
 * `summary`, `state`, `snapshot`) are JSON values, refused at the door if they are not. An absent
 * payload reads as `undefined` (JSON `null` is a value); other absent fields read as `null`.
 */

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export const runStatuses: readonly RunStatus[] = Object.freeze([
  'running',
  'completed',
  'failed',
  'cancelled',
]);

export interface NewRun {
  readonly id: string;
  readonly pipeline: string;
  readonly pipelineVersion: string;
  /** The options the run was started with (limit, dry run...), kept for resume. Default `{}`. */
  readonly options?: unknown;
}

export interface RunRecord {
  readonly id: string;
  readonly pipeline: string;
  readonly pipelineVersion: string;
  readonly status: RunStatus;
  readonly options: unknown;
  readonly summary: unknown;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RunFilter {
  readonly status?: RunStatus;
  readonly pipeline?: string;
}

/** Names one item: its stable ID within one stage of one run. */
export interface ItemRef {
  readonly runId: string;
  readonly stage: string;
  readonly id: string;
}

/**
 * A held lease: the item plus the owner and token every later write is fenced by. A ClaimedItem
 * is a Lease, so the engine can pass claimed items straight back in outcomes and heartbeats.
 */
export interface Lease extends ItemRef {
  readonly owner: string;
  readonly token: string;
}

export interface NewItem {
  /** The user's stable ID, unique per run and stage; re-seeding it is a no-op. */
  readonly id: string;
  readonly input: unknown;
  /** Higher is claimed first. Default 0 (for next-stage items: the parent's priority). */
  readonly priority?: number;
  /** Not claimable before this time. Default: `now` of the call. */
  readonly availableAt?: number;
  /** W3C traceparent. Default: none (for next-stage items: the parent's). */
  readonly traceContext?: string;
}

export interface SeedItem extends NewItem {
  /** The item this one was derived from, for provenance. */
  readonly parentId?: string;
}

export interface SeedResult {
  readonly inserted: number;
  /** IDs that were already there (left untouched). */
  readonly existing: number;
}

export interface ClaimRequest {
  readonly runId: string;
  readonly stage: string;
  /** Who is claiming: a worker ID unique per process (e.g. `host:pid:random`). */
  readonly owner: string;
  /** At most this many items, 1..10000. */
  readonly limit: number;
  /** The lease lasts this long unless extended by heartbeat. */
  readonly leaseMs: number;
  readonly now: number;
}

export interface ClaimedItem extends Lease {
  /** 1 for the first try: the item's recorded attempts + 1. */
  readonly attempt: number;
  readonly leaseExpiresAt: number;
  readonly input: unknown;
  /** The item's own checkpoint from an earlier attempt (`ctx.checkpoint`), if any. */
  readonly checkpoint: unknown;
  readonly priority: number;
  readonly availableAt: number;
  readonly parentId: string | null;
  readonly traceContext: string | null;
}

export interface ItemRecord extends ItemRef {
  readonly parentStage: string | null;
  readonly parentId: string | null;
  readonly state: ItemState;
  readonly priority: number;
  readonly availableAt: number;
  /** Attempts finished so far (completed, failed, skipped, or lost with an expired lease). */
  readonly attempts: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  readonly input: unknown;
  readonly output: unknown;
  readonly checkpoint: unknown;
  readonly lastError: string | null;
  readonly lastCategory: FailureCategory | null;
  readonly skipReason: string | null;
  readonly degraded: boolean;
  readonly traceContext: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly completedAt: number | null;
}

export interface ItemFilter {
  readonly runId: string;
  readonly stage?: string;
  readonly states?: readonly ItemState[];
  readonly ids?: readonly string[];
  readonly parentId?: string;
  readonly degraded?: boolean;
}

export interface PageRequest {
  /** 1..1000, default 100. */
  readonly limit?: number;
  /** The `next` cursor of the previous page. */
  readonly after?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `after` for the next page; undefined on the last page. */
  readonly next: string | undefined;
}

/** Item counts of one stage, by state; `total` sums them, `degraded` counts flagged items. */
export type StageCounts = { readonly [S in ItemState]: number } & {
  readonly total: number;
  readonly degraded: number;
};

export interface RetryRecord extends ItemRef {
  readonly attempt: number;
  readonly category: FailureCategory;
  readonly error: string;
  readonly delayMs: number;
  readonly at: number;
}

export interface DeadLetterRecord extends ItemRef {
  readonly attempt: number;
  readonly category: FailureCategory;
  readonly error: string;
  readonly at: number;
  /** When it was sent back to pending (retried or reset); null while it is still dead. */
  readonly retriedAt: number | null;
}

export interface DeadLetterFilter {
  readonly runId: string;
  readonly stage?: string;
  readonly category?: FailureCategory;
  readonly ids?: readonly string[];
}

export interface CheckpointRecord {
  readonly state: unknown;
  readonly updatedAt: number;
}

export interface NamedCheckpointRecord extends CheckpointRecord {
  readonly name: string;
}

/** What `Store.prune` deleted. */
export interface PruneResult {
  /** Completed and cancelled runs, with everything under them. */
  readonly runs: number;
  readonly items: number;
  /** Worker registrations not renewed since the cutoff. */
  readonly workers: number;
}

/** A worker process, as it registers itself (see Store.registerWorker). */
export interface WorkerInfo {
  /** Its lease owner ID (host:pid:random). */
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** The runs it is working on. */
  readonly runs: readonly string[];
  /** `stopping` once it stopped claiming (graceful shutdown). */
  readonly status: WorkerStatus;
}

export type WorkerStatus = 'running' | 'stopping';

export const workerStatuses: readonly WorkerStatus[] = Object.freeze(['running', 'stopping']);

export interface WorkerRecord extends WorkerInfo {
  /** When it first registered. */
  readonly startedAt: number;
  readonly lastHeartbeatAt: number;
}

export interface BreakerStateRecord {
  readonly service: string;
  /** The breaker within the service (a host, a domain); '' for a service-wide breaker. */
  readonly key: string;
  readonly snapshot: unknown;
  readonly updatedAt: number;
}

/**
 * One time bucket of one service's call statistics. Recording the same bucket again (another
 * worker, a later flush) adds to it, so workers never overwrite each other's counts.
 */
export interface HealthSample {
  readonly service: string;
  readonly bucketStart: number;
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  readonly rejected: number;
  /** Sum of call durations in ms (fractions allowed), for the mean latency. */
  readonly durationMs: number;
}
