import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import { claim, complete, items, type ContractContext } from './context.contract.js';

/**
 * Two store instances (two connections) on one database: claims never overlap, and a worker
 * on one connection cannot commit an item another connection reclaimed.
 */
export function concurrencyContract(ctx: ContractContext): void {
  describe('two connections', () => {
    it('never claim the same item, and between them complete every item once', async () => {
      const runId = await ctx.newRun();
      const stores = [ctx.store(), await ctx.open(), await ctx.open()];
      const total = 600;
      await stores[0]!.seedItems(runId, 'fetch', items(total), 1_000);
      const claimedBy = stores.map(() => [] as string[]);
      const worker = async (store: Store, index: number) => {
        for (let round = 0; ; round++) {
          const claimed = await claim(store, runId, 1_000 + round, {
            owner: `worker-${index}`,
            limit: 5 + index * 6,
          });
          if (claimed.length === 0) return;
          claimedBy[index]!.push(...claimed.map((c) => c.id));
          const result = await store.commit(
            claimed.map((c) => complete(c)),
            1_000 + round,
          );
          expect(result).toEqual({ applied: claimed.length, fenced: [] });
        }
      };
      await Promise.all(stores.map((store, index) => worker(store, index)));
      const all = claimedBy.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all.length).toBe(total);
      for (const ids of claimedBy) expect(ids.length).toBeGreaterThan(0);
      expect((await stores[1]!.counts(runId)).fetch).toMatchObject({ completed: total, total });
    });

    it('fences a commit from one connection after another reclaimed the item', async () => {
      const runId = await ctx.newRun();
      const slow = ctx.store();
      const fast = await ctx.open();
      await slow.seedItems(runId, 'fetch', items(3), 1_000);
      const stale = await claim(slow, runId, 1_000, { owner: 'slow', leaseMs: 100 });
      expect(await fast.reclaimExpired(1_100, 10, { runId })).toBe(3);
      const fresh = await claim(fast, runId, 1_200, { owner: 'fast' });
      expect(fresh.map((c) => c.attempt)).toEqual([2, 2, 2]);
      const result = await slow.commit(
        stale.map((c) => complete(c, 'stale')),
        1_300,
      );
      expect(result).toEqual({ applied: 0, fenced: stale });
      expect(await slow.heartbeat('slow', stale, 100, 1_300)).toBe(0);
      expect(
        (
          await fast.commit(
            fresh.map((c) => complete(c, 'fresh')),
            1_400,
          )
        ).applied,
      ).toBe(3);
      const outputs = (await slow.listItems({ runId })).items.map((i) => i.output);
      expect(outputs).toEqual(['fresh', 'fresh', 'fresh']);
    });
  });
}
