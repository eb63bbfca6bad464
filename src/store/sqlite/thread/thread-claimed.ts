import type { ClaimedItem } from '../../records.js';
import type { ClaimReply } from './protocol.js';

/**
 * The ClaimedItems a ThreadedSqliteStore hands out, built from the store thread's ClaimReply.
 * As in the store itself (../claimed.ts), a private field marks them: a lease that has it came
 * from this store and was not changed since (each is frozen), so it crosses back as a WireLease
 * and finds the store thread's own ClaimedItem; any other lease crosses as it is.
 */
export function threadClaimedItems() {
  class ThreadClaimedItem implements ClaimedItem {
    readonly #own = true;

    constructor(
      readonly runId: string,
      readonly stage: string,
      readonly id: string,
      readonly owner: string,
      readonly token: string,
      readonly attempt: number,
      readonly leaseExpiresAt: number,
      readonly input: unknown,
      readonly checkpoint: unknown,
      readonly priority: number,
      readonly availableAt: number,
      readonly parentId: string | null,
      readonly traceContext: string | null,
    ) {
      Object.freeze(this);
    }

    static isOwn(lease: unknown): boolean {
      return typeof lease === 'object' && lease !== null && #own in lease;
    }
  }

  return {
    isOwn: (lease: unknown): boolean => ThreadClaimedItem.isOwn(lease),
    build(reply: ClaimReply): ClaimedItem[] {
      const { runId, stage, owner, nonce, leaseExpiresAt, ids, seqs, inputs, checkpoints } = reply;
      const items = new Array<ClaimedItem>(ids.length);
      for (let i = 0; i < ids.length; i++) {
        const checkpoint = checkpoints[i]!;
        items[i] = new ThreadClaimedItem(
          runId,
          stage,
          ids[i]!,
          owner,
          `${nonce}${seqs[i]!}`,
          reply.attempts[i]!,
          leaseExpiresAt,
          JSON.parse(inputs[i]!) as unknown,
          checkpoint === null ? undefined : (JSON.parse(checkpoint) as unknown),
          reply.priorities[i]!,
          reply.availableAts[i]!,
          reply.parentIds[i]!,
          reply.traceContexts[i]!,
        );
      }
      return items;
    },
  };
}
