import type { ClaimedItem } from '../records.js';

/**
 * What the leases of one claim call share: every token of the claim is `nonce` followed by the
 * row's seq, so a commit can fence a whole group of them in one statement
 * (`lease_token = @nonce || seq`, see commit.ts).
 */
export interface ClaimBatch {
  readonly runId: string;
  readonly stage: string;
  readonly owner: string;
  readonly nonce: string;
}

/**
 * The ClaimedItems one SQLite store hands out, and how it recognises them when they come back as
 * the lease of an outcome or a heartbeat.
 *
 * Each carries its row's `seq` (the rowid) and its claim's ClaimBatch in private class fields:
 * invisible to callers (no property, not copied by a spread, absent from JSON and from equality
 * checks) and not part of the public types. Each is frozen. So a lease that has the fields was
 * built by this store and has not been changed since: commit and heartbeat skip its checks and
 * fence it by `seq AND state = 'leased' AND lease_owner AND lease_token` (a primary-key lookup)
 * instead of the `(run_id, stage, id)` text index. Any other lease (built by hand, spread with a
 * changed field, or a ClaimedItem of another store) is checked and fenced by `(run_id, stage,
 * id)` exactly as before.
 *
 * The class is created per store (`claimedItems()` in each store's prepare), so its private
 * fields are too: a ClaimedItem of a store on another file, where its seq would name another row,
 * is never taken for one of this store's.
 */
export function claimedItems() {
  class SqliteClaimedItem implements ClaimedItem {
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
    readonly #batch: ClaimBatch;

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
      this.#batch = batch;
      Object.freeze(this);
    }

    /** The row of a lease this store handed out, or undefined for any other value. */
    static seqOf(lease: unknown): number | undefined {
      return typeof lease === 'object' && lease !== null && #seq in lease ? lease.#seq : undefined;
    }

    /** The claim of a lease this store handed out, or undefined for any other value. */
    static batchOf(lease: unknown): ClaimBatch | undefined {
      return typeof lease === 'object' && lease !== null && #batch in lease
        ? lease.#batch
        : undefined;
    }
  }

  return {
    Item: SqliteClaimedItem,
    seqOf: (lease: unknown): number | undefined => SqliteClaimedItem.seqOf(lease),
    batchOf: (lease: unknown): ClaimBatch | undefined => SqliteClaimedItem.batchOf(lease),
    isOwn: (lease: unknown): boolean => SqliteClaimedItem.seqOf(lease) !== undefined,
  };
}

export type ClaimedItems = ReturnType<typeof claimedItems>;
