import { describe, expect, it } from 'vitest';
import { claim, expectInvalid, items, type ContractContext } from './context.contract.js';

/** Inspection (counts, listing, one item) and the keyed state: checkpoints, breakers, health. */
export function stateContract(ctx: ContractContext): void {
  describe('counts and listing', () => {
    it('counts items per stage and state, zeros included', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      expect(await store.counts(runId)).toEqual({});
      await store.seedItems(runId, 'fetch', items(5), 1_000);
      await store.seedItems(runId, 'parse', items(1), 1_000);
      const [a, b, c] = await claim(store, runId, 1_000, { limit: 3 });
      await store.commit(
        [
          { kind: 'complete', lease: a!, output: 1, degraded: true },
          { kind: 'dead', lease: b!, error: 'x', category: 'non_recoverable' },
        ],
        1_100,
      );
      expect(c).toBeDefined();
      expect(await store.counts(runId)).toEqual({
        fetch: {
          pending: 2,
          leased: 1,
          completed: 1,
          retry_wait: 0,
          dead: 1,
          skipped: 0,
          total: 5,
          degraded: 1,
        },
        parse: {
          pending: 1,
          leased: 0,
          completed: 0,
          retry_wait: 0,
          dead: 0,
          skipped: 0,
          total: 1,
          degraded: 0,
        },
      });
      await expectInvalid(() => store.counts(''), 'runId');
    });

    it('lists items by stage and ID, filtered and paged', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'b-stage', items(3), 1_000);
      await store.seedItems(runId, 'a-stage', items(3), 1_000);
      const leases = await claim(store, runId, 1_000, { stage: 'a-stage', limit: 1 });
      await store.commit(
        [{ kind: 'complete', lease: leases[0]!, output: 0, degraded: true }],
        1_000,
      );
      const ids = (page: { items: readonly { stage: string; id: string }[] }) =>
        page.items.map((i) => `${i.stage}/${i.id}`);
      const all: string[] = [];
      let after: string | undefined;
      do {
        const page = await store.listItems(
          { runId },
          after === undefined ? { limit: 4 } : { limit: 4, after },
        );
        all.push(...ids(page));
        after = page.next;
      } while (after !== undefined);
      expect(all).toEqual([
        'a-stage/item-0',
        'a-stage/item-1',
        'a-stage/item-2',
        'b-stage/item-0',
        'b-stage/item-1',
        'b-stage/item-2',
      ]);
      expect(
        ids(await store.listItems({ runId, stage: 'b-stage', ids: ['item-2', 'item-0'] })),
      ).toEqual(['b-stage/item-0', 'b-stage/item-2']);
      expect(ids(await store.listItems({ runId, states: ['completed', 'leased'] }))).toEqual([
        'a-stage/item-0',
      ]);
      expect(ids(await store.listItems({ runId, degraded: false, stage: 'a-stage' }))).toEqual([
        'a-stage/item-1',
        'a-stage/item-2',
      ]);
      expect(ids(await store.listItems({ runId, states: [] }))).toEqual([]);
      await expectInvalid(
        () => store.listItems({ runId, states: ['finished' as never] }),
        'filter.states[0]',
      );
      await expectInvalid(
        () => store.listItems({ runId, degraded: 1 as never }),
        'filter.degraded',
      );
      await expectInvalid(() => store.listItems({ runId, parentId: '' }), 'filter.parentId');
      await expectInvalid(() => store.listItems({ runId }, { after: 'bm9wZQ' }), 'page.after');
      await expectInvalid(() => store.getItem({ runId, stage: 'a-stage' } as never), 'ref.id');
      await expectInvalid(
        () => store.retryHistory({ runId: '', stage: 's', id: 'i' }),
        'ref.runId',
      );
    });
  });

  describe('run checkpoints', () => {
    it('stores, overwrites and returns named state per run', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      const other = await ctx.newRun();
      expect(await store.getCheckpoint(runId, 'source')).toBeUndefined();
      await store.putCheckpoint(runId, 'source', { cursor: 'abc', page: 1 }, 1_000);
      await store.putCheckpoint(runId, 'source', { cursor: 'def', page: 2 }, 2_000);
      await store.putCheckpoint(runId, 'other', null, 2_000);
      expect(await store.getCheckpoint(runId, 'source')).toEqual({
        state: { cursor: 'def', page: 2 },
        updatedAt: 2_000,
      });
      expect(await store.getCheckpoint(runId, 'other')).toEqual({ state: null, updatedAt: 2_000 });
      expect(await store.getCheckpoint(other, 'source')).toBeUndefined();
      await expectInvalid(() => store.putCheckpoint('no-such-run', 'source', 1, 1), 'runId');
      await expectInvalid(() => store.putCheckpoint(runId, '', 1, 1), 'name');
      await expectInvalid(() => store.putCheckpoint(runId, 'source', { n: 1n }, 1), 'state.n');
      await expectInvalid(() => store.putCheckpoint(runId, 'source', undefined, 1), 'state');
      expect((await store.getCheckpoint(runId, 'source'))?.state).toEqual({
        cursor: 'def',
        page: 2,
      });
    });

    it('lists every checkpoint of a run by name, and none of another run', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      const other = await ctx.newRun();
      await store.putCheckpoint(runId, 'source:articles', { cursor: 'x' }, 1_000);
      await store.putCheckpoint(runId, 'progress', { finished: 3 }, 2_000);
      await store.putCheckpoint(other, 'progress', { finished: 9 }, 3_000);
      expect(await store.listCheckpoints(runId)).toEqual([
        { name: 'progress', state: { finished: 3 }, updatedAt: 2_000 },
        { name: 'source:articles', state: { cursor: 'x' }, updatedAt: 1_000 },
      ]);
      expect(await store.listCheckpoints(await ctx.newRun())).toEqual([]);
      await expectInvalid(() => store.listCheckpoints(''), 'runId');
    });
  });

  describe('breaker state', () => {
    it('round-trips snapshots per service and key', async () => {
      const store = ctx.store();
      const service = `svc-${Math.random().toString(36).slice(2)}`;
      const snapshot = { state: 'OPEN', openedAt: 1_000, window: [1, 0, 1] };
      await store.saveBreakerState(service, 'b.example', snapshot, 1_000);
      await store.saveBreakerState(service, 'a.example', { state: 'CLOSED' }, 1_000);
      await store.saveBreakerState(service, '', { state: 'CLOSED' }, 1_000);
      await store.saveBreakerState(`${service}-other`, 'a.example', { state: 'OPEN' }, 1_000);
      await store.saveBreakerState(service, 'a.example', { state: 'HALF_OPEN' }, 2_000);
      expect(await store.loadBreakerState(service, 'b.example')).toEqual([
        { service, key: 'b.example', snapshot, updatedAt: 1_000 },
      ]);
      expect(await store.loadBreakerState(service)).toEqual([
        { service, key: '', snapshot: { state: 'CLOSED' }, updatedAt: 1_000 },
        { service, key: 'a.example', snapshot: { state: 'HALF_OPEN' }, updatedAt: 2_000 },
        { service, key: 'b.example', snapshot, updatedAt: 1_000 },
      ]);
      expect(await store.loadBreakerState(service, 'c.example')).toEqual([]);
      await expectInvalid(() => store.saveBreakerState('', 'k', {}, 1), 'service');
      await expectInvalid(() => store.saveBreakerState(service, 3 as never, {}, 1), 'key');
      await expectInvalid(() => store.saveBreakerState(service, 'k', () => 1, 1), 'snapshot');
      await expectInvalid(() => store.loadBreakerState(service, null as never), 'key');
    });
  });

  describe('health samples', () => {
    it('adds samples into buckets, lists and prunes them', async () => {
      const store = ctx.store();
      const service = `svc-${Math.random().toString(36).slice(2)}`;
      const sample = {
        service,
        calls: 10,
        failures: 2,
        slowCalls: 1,
        rejected: 0,
        durationMs: 123.5,
      };
      await store.recordHealthSample({ ...sample, bucketStart: 60_000 });
      await store.recordHealthSample({ ...sample, bucketStart: 60_000, rejected: 3 });
      await store.recordHealthSample({ ...sample, bucketStart: 120_000 });
      await store.recordHealthSample({ ...sample, service: `${service}-b`, bucketStart: 60_000 });
      expect(await store.listHealthSamples(service, 0)).toEqual([
        {
          service,
          bucketStart: 60_000,
          calls: 20,
          failures: 4,
          slowCalls: 2,
          rejected: 3,
          durationMs: 247,
        },
        {
          service,
          bucketStart: 120_000,
          calls: 10,
          failures: 2,
          slowCalls: 1,
          rejected: 0,
          durationMs: 123.5,
        },
      ]);
      expect((await store.listHealthSamples(service, 60_001)).map((s) => s.bucketStart)).toEqual([
        120_000,
      ]);
      expect(await store.pruneHealthSamples(120_000)).toBeGreaterThanOrEqual(2);
      expect((await store.listHealthSamples(service, 0)).map((s) => s.bucketStart)).toEqual([
        120_000,
      ]);
      expect(await store.listHealthSamples(`${service}-b`, 0)).toEqual([]);
      await expectInvalid(
        () => store.recordHealthSample({ ...sample, bucketStart: 1, calls: -1 }),
        'sample.calls',
      );
      await expectInvalid(
        () => store.recordHealthSample({ ...sample, bucketStart: 1, durationMs: NaN }),
        'sample.durationMs',
      );
      await expectInvalid(
        () => store.recordHealthSample({ ...sample, bucketStart: -1 }),
        'sample.bucketStart',
      );
      await expectInvalid(
        () => store.recordHealthSample({ ...sample, service: '', bucketStart: 1 }),
        'sample.service',
      );
      await expectInvalid(() => store.listHealthSamples(service, 'x' as never), 'since');
      await expectInvalid(() => store.pruneHealthSamples(-1), 'before');
    });
  });
}
