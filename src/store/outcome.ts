import type { FailureCategory } from '../errors/index.js';
import type { Lease, NewItem } from './records.js';

/**
 * What the engine reports back about a claimed item, group-committed in one transaction by
 * `Store.commit`. Every outcome names the lease it was produced under and is fenced by it: it
 * applies only while the item is still `leased` to that owner with that token. A stale outcome
 * (the lease expired and was reclaimed, released, or already committed) changes nothing and is
 * returned in `CommitResult.fenced`.
 */
export type Outcome =
  CompleteOutcome | RetryOutcome | DeadOutcome | SkipOutcome | ReleaseOutcome | CheckpointOutcome;

export type OutcomeKind = Outcome['kind'];

export const outcomeKinds: readonly OutcomeKind[] = Object.freeze([
  'complete',
  'retry',
  'dead',
  'skip',
  'release',
  'checkpoint',
]);

/** The handler succeeded: store the output, optionally emit items into the next stage. */
export interface CompleteOutcome {
  readonly kind: 'complete';
  readonly lease: Lease;
  readonly output: unknown;
  /** The result is partial or came from a fallback. */
  readonly degraded?: boolean;
  /**
   * Items for the next stage, inserted `pending` in the same transaction with this item as their
   * parent. An ID already present in that stage is left as it is, so a re-emit is a no-op.
   */
  readonly next?: { readonly stage: string; readonly items: readonly NewItem[] };
}

/** A recoverable failure: wait until `availableAt`, then the item is claimable again. */
export interface RetryOutcome {
  readonly kind: 'retry';
  readonly lease: Lease;
  readonly availableAt: number;
  readonly error: string;
  readonly category: FailureCategory;
  /** The backoff chosen, recorded in the retry history. */
  readonly delayMs: number;
}

/** Exhausted or non-recoverable: the item becomes a dead letter. */
export interface DeadOutcome {
  readonly kind: 'dead';
  readonly lease: Lease;
  readonly error: string;
  readonly category: FailureCategory;
}

/** The handler chose not to process the item (filtered out, dry run...). */
export interface SkipOutcome {
  readonly kind: 'skip';
  readonly lease: Lease;
  readonly reason: string;
}

/** Give the lease back unprocessed (shutdown): pending again, the attempt is not counted. */
export interface ReleaseOutcome {
  readonly kind: 'release';
  readonly lease: Lease;
}

/** Save the item's own progress (`ctx.checkpoint`); the lease is kept. */
export interface CheckpointOutcome {
  readonly kind: 'checkpoint';
  readonly lease: Lease;
  readonly state: unknown;
}

export interface CommitResult {
  /** Outcomes that changed their item. */
  readonly applied: number;
  /** The leases of outcomes that were stale and changed nothing, in input order. */
  readonly fenced: readonly Lease[];
}
