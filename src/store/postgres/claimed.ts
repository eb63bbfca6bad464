import type { ClaimedItem } from '../records.js';

/**
 * What the leases of one claim call share: every token of the claim is `nonce` followed by the
 * row's seq (`lease_token = $nonce || seq`, see claim.ts), unique per lease and never reused.
 */
export interface ClaimBatch {
  readonly runId: string;
  readonly stage: string;
  readonly owner: string;
  readonly nonce: string;
}

/**
 * The ClaimedItems one PostgreSQL store hands out, as on SQLite (see sqlite/claimed.ts): each
 * carries its row's `seq` in a private class field, invisible to callers and lost by a spread.
 * A lease that has it was built by this store and not changed since, so commit and heartbeat
 * skip its checks and fence it by `seq AND state = 'leased' AND lease_owner AND lease_token`
 * (the primary key); any other lease is checked, and its seq looked up by (run_id, stage, id)
 * first. The class is created per store, so a ClaimedItem of a store on another schema (where
 * its seq names another row) is never taken for one of this store's.
 */
export function claimedItems() {
  class PostgresClaimedItem implements ClaimedItem {
    readonly runId: string;
    readonly stage: string;
    readonly id: string;
    readonly owner: string;
    readonly token: string;
    readonly attempt: number;
    readonly leaseExpiresAt: number;
    readonly input: unknown;
    readonly checkpoint: unknown;
    readonly priority: number;
    readonly availableAt: number;
    readonly parentId: string | null;
    readonly traceContext: string | null;
    readonly #seq: number;

    constructor(
      batch: ClaimBatch,
      seq: number,
      id: string,
      attempt: number,
      leaseExpiresAt: number,
      input: unknown,
      checkpoint: unknown,
      priority: number,
      availableAt: number,
      parentId: string | null,
      traceContext: string | null,
    ) {
      this.runId = batch.runId;
      this.stage = batch.stage;
      this.id = id;
      this.owner = batch.owner;
      this.token = `${batch.nonce}${seq}`;
      this.attempt = attempt;
      this.leaseExpiresAt = leaseExpiresAt;
      this.input = input;
      this.checkpoint = checkpoint;
      this.priority = priority;
      this.availableAt = availableAt;
      this.parentId = parentId;
      this.traceContext = traceContext;
      this.#seq = seq;
      Object.freeze(this);
    }

    /** The row of a lease this store handed out, or undefined for any other value. */
    static seqOf(lease: unknown): number | undefined {
      return typeof lease === 'object' && lease !== null && #seq in lease ? lease.#seq : undefined;
    }
  }

  return {
    Item: PostgresClaimedItem,
    seqOf: (lease: unknown): number | undefined => PostgresClaimedItem.seqOf(lease),
    isOwn: (lease: unknown): boolean => PostgresClaimedItem.seqOf(lease) !== undefined,
  };
}

export type ClaimedItems = ReturnType<typeof claimedItems>;
