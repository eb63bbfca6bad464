import { describe, expect, it } from 'vitest';
import type { Lease } from '../store.js';
import { claim, expectInvalid, items, leaseMs, type ContractContext } from './context.contract.js';

/** Lease upkeep: heartbeats extend only live leases of their owner; the sweep reclaims the rest. */
export function leasesContract(ctx: ContractContext): void {
  describe('heartbeat', () => {
    it("extends only the caller's own live leases", async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', items(4), 1_000);
      const mine = await claim(store, runId, 1_000, { owner: 'a', limit: 2 });
      const theirs = await claim(store, runId, 1_000, { owner: 'b', limit: 2 });
      const refs = (leases: Lease[]) =>
        leases.map(({ runId: r, stage, id, token }) => ({ runId: r, stage, id, token }));
      // Theirs with their tokens but my name, and mine: only mine are extended.
      expect(await store.heartbeat('a', [...refs(mine), ...refs(theirs)], 5_000, 1_500)).toBe(2);
      for (const lease of mine) expect((await store.getItem(lease))?.leaseExpiresAt).toBe(6_500);
      for (const lease of theirs) expect((await store.getItem(lease))?.leaseExpiresAt).toBe(2_000);
      // A wrong token extends nothing; ClaimedItems can be passed as they are.
      expect(await store.heartbeat('a', [{ ...mine[0]!, token: 'nope' }], 5_000, 1_600)).toBe(0);
      expect(await store.heartbeat('a', mine, 5_000, 1_700)).toBe(2);
      expect(await store.heartbeat('a', [], 5_000, 1_700)).toBe(0);
    });

    it('keeps a live lease from being reclaimed, and does not revive a lost one', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', items(2), 1_000);
      const [kept, lost] = await claim(store, runId, 1_000);
      await store.heartbeat('worker-a', [kept!], leaseMs, 1_900);
      expect(await store.reclaimExpired(2_000, 100, { runId })).toBe(1);
      expect((await store.getItem(kept!))?.state).toBe('leased');
      expect(await store.heartbeat('worker-a', [lost!], leaseMs, 2_100)).toBe(0);
      expect(await store.getItem(lost!)).toMatchObject({ state: 'pending', leaseOwner: null });
    });

    it('names the field of every bad argument', async () => {
      const store = ctx.store();
      await expectInvalid(() => store.heartbeat('', [], 1, 1), 'heartbeat.owner');
      await expectInvalid(() => store.heartbeat('w', {} as never, 1, 1), 'heartbeat.leases');
      await expectInvalid(
        () => store.heartbeat('w', [{ runId: 'r', stage: 's', id: '' } as never], 1, 1),
        'heartbeat.leases[0].id',
      );
      await expectInvalid(() => store.heartbeat('w', [], 0, 1), 'heartbeat.leaseMs');
      await expectInvalid(() => store.heartbeat('w', [], 1, -1), 'heartbeat.now');
    });
  });

  describe('reclaimExpired', () => {
    it('returns expired leases to pending, counting and recording the lost attempt', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', items(3), 1_000);
      await claim(store, runId, 1_000, { owner: 'crashed', limit: 2, leaseMs: 500 });
      const [live] = await claim(store, runId, 1_000, { owner: 'alive', leaseMs: 5_000 });
      expect(await store.reclaimExpired(1_499, 100, { runId })).toBe(0);
      expect(await store.reclaimExpired(1_500, 1, { runId })).toBe(1);
      expect(await store.reclaimExpired(1_500, 100, { runId })).toBe(1);
      const reclaimed = (await store.listItems({ runId, states: ['pending'] })).items;
      expect(
        reclaimed.map((i) => [i.id, i.attempts, i.leaseOwner, i.leaseExpiresAt, i.updatedAt]),
      ).toEqual([
        ['item-0', 1, null, null, 1_500],
        ['item-1', 1, null, null, 1_500],
      ]);
      expect(await store.retryHistory({ runId, stage: 'fetch', id: 'item-0' })).toEqual([
        {
          runId,
          stage: 'fetch',
          id: 'item-0',
          attempt: 1,
          category: 'recoverable',
          error: 'lease expired at 1500 (held by crashed)',
          delayMs: 0,
          at: 1_500,
        },
      ]);
      expect((await store.getItem(live!))?.state).toBe('leased');
      const again = await claim(store, runId, 1_600);
      expect(again.map((c) => [c.id, c.attempt])).toEqual([
        ['item-0', 2],
        ['item-1', 2],
      ]);
    });

    it('sweeps every run unless scoped to one', async () => {
      const store = ctx.store();
      const runA = await ctx.newRun();
      const runB = await ctx.newRun();
      for (const runId of [runA, runB]) {
        await store.seedItems(runId, 'fetch', items(1), 1_000);
        await claim(store, runId, 1_000, { leaseMs: 10 });
      }
      expect(await store.reclaimExpired(2_000, 100, { runId: runA })).toBe(1);
      expect((await store.counts(runB)).fetch?.leased).toBe(1);
      expect(await store.reclaimExpired(2_000, 10_000)).toBeGreaterThanOrEqual(1);
      expect((await store.counts(runB)).fetch?.pending).toBe(1);
    });

    it('names the field of every bad argument', async () => {
      const store = ctx.store();
      await expectInvalid(() => store.reclaimExpired(-1, 1), 'now');
      await expectInvalid(() => store.reclaimExpired(1, 0), 'limit');
      await expectInvalid(() => store.reclaimExpired(1, 1, { runId: '' }), 'options.runId');
    });
  });
}
