import { describe, expect, it } from 'vitest';
import { claim, complete, expectInvalid, items, type ContractContext } from './context.contract.js';

/** Seeding (idempotent, JSON-only) and claiming (order, limit, availability, scope). */
export function seedAndClaimContract(ctx: ContractContext): void {
  describe('seedItems', () => {
    it('is idempotent by ID and never overwrites an existing item', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      expect(await store.seedItems(runId, 'fetch', items(3), 1_000)).toEqual({
        inserted: 3,
        existing: 0,
      });
      const again = [
        { id: 'item-1', input: 'changed' },
        { id: 'item-2', input: 'changed', priority: 9 },
        { id: 'item-3', input: { n: 3 } },
      ];
      expect(await store.seedItems(runId, 'fetch', again, 2_000)).toEqual({
        inserted: 1,
        existing: 2,
      });
      const item = await store.getItem({ runId, stage: 'fetch', id: 'item-2' });
      expect(item).toMatchObject({ input: { n: 2 }, priority: 0, createdAt: 1_000 });
      expect((await store.counts(runId)).fetch?.pending).toBe(4);
      // A duplicate inside one batch: the first one wins.
      const dup = [
        { id: 'twin', input: 1 },
        { id: 'twin', input: 2 },
      ];
      expect(await store.seedItems(runId, 'fetch', dup, 3_000)).toEqual({
        inserted: 1,
        existing: 1,
      });
      expect((await store.getItem({ runId, stage: 'fetch', id: 'twin' }))?.input).toBe(1);
    });

    it('keeps the same ID apart in different stages and runs', async () => {
      const store = ctx.store();
      const runA = await ctx.newRun();
      const runB = await ctx.newRun();
      await store.seedItems(runA, 'fetch', items(1), 1_000);
      expect((await store.seedItems(runA, 'parse', items(1), 1_000)).inserted).toBe(1);
      expect((await store.seedItems(runB, 'fetch', items(1), 1_000)).inserted).toBe(1);
    });

    it('stores defaults and given fields', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(
        runId,
        'fetch',
        [
          { id: 'plain', input: null },
          {
            id: 'full',
            input: { deep: [1, 'two', { three: true }], text: 'naïve ☃' },
            priority: -3,
            availableAt: 5_000,
            traceContext: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
            parentId: 'page-1',
          },
        ],
        1_000,
      );
      expect(await store.getItem({ runId, stage: 'fetch', id: 'plain' })).toMatchObject({
        state: 'pending',
        input: null,
        output: undefined,
        priority: 0,
        availableAt: 1_000,
        attempts: 0,
        parentId: null,
        traceContext: null,
        degraded: false,
        createdAt: 1_000,
        updatedAt: 1_000,
        completedAt: null,
      });
      expect(await store.getItem({ runId, stage: 'fetch', id: 'full' })).toMatchObject({
        input: { deep: [1, 'two', { three: true }], text: 'naïve ☃' },
        priority: -3,
        availableAt: 5_000,
        traceContext: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        parentId: 'page-1',
        parentStage: null,
      });
      expect(await store.getItem({ runId, stage: 'fetch', id: 'absent' })).toBeUndefined();
    });

    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const refusals: [string, unknown, string][] = [
      ['a function', { f: () => 1 }, 'items["bad"].input.f'],
      ['a symbol', [1, Symbol('s')], 'items["bad"].input[1]'],
      ['a bigint', { n: 10n }, 'items["bad"].input.n'],
      ['undefined', undefined, 'items["bad"].input'],
      ['a cycle', { wrap: cycle }, 'items["bad"].input.wrap.self'],
      ['NaN', { x: NaN }, 'items["bad"].input.x'],
      ['Infinity', { 'odd key': -Infinity }, 'items["bad"].input["odd key"]'],
      ['a Map', { m: new Map([[1, 2]]) }, 'items["bad"].input.m'],
    ];
    it.each(refusals)(
      'refuses an input holding %s, naming the item, writing nothing',
      async (_, input, field) => {
        const store = ctx.store();
        const runId = await ctx.newRun();
        await expectInvalid(
          () => store.seedItems(runId, 'fetch', [...items(2), { id: 'bad', input }], 1_000),
          field,
          /must be JSON-serializable/,
        );
        expect(await store.counts(runId)).toEqual({});
      },
    );

    it('accepts what JSON keeps (dates become strings, nested undefined is dropped)', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      const input = { at: new Date(0), gone: undefined, list: [undefined] };
      await store.seedItems(runId, 'fetch', [{ id: 'x', input }], 1_000);
      expect((await store.getItem({ runId, stage: 'fetch', id: 'x' }))?.input).toEqual({
        at: '1970-01-01T00:00:00.000Z',
        list: [null],
      });
    });

    it('names the field of every bad argument', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      const seed = (stage: unknown, list: unknown, now: unknown = 1_000, run: unknown = runId) =>
        store.seedItems(run as string, stage as string, list as never, now as number);
      await expectInvalid(() => seed('fetch', items(1), 1_000, 'no-such-run'), 'runId');
      await expectInvalid(() => seed('fetch', items(1), 1_000, ''), 'runId');
      await expectInvalid(() => seed('', items(1)), 'stage');
      await expectInvalid(() => seed('fetch', 'nope'), 'items', /must be an array/);
      await expectInvalid(() => seed('fetch', [null]), 'items[0]', /must be an object/);
      await expectInvalid(() => seed('fetch', [{ id: '', input: 1 }]), 'items[0].id');
      await expectInvalid(() => seed('fetch', [{ id: 7, input: 1 }]), 'items[0].id');
      await expectInvalid(
        () => seed('fetch', [{ id: 'p', input: 1, priority: 1.5 }]),
        'items["p"].priority',
        /must be an integer in \[-2147483648, 2147483647\], got 1.5/,
      );
      await expectInvalid(
        () => seed('fetch', [{ id: 'a', input: 1, availableAt: -1 }]),
        'items["a"].availableAt',
      );
      await expectInvalid(
        () => seed('fetch', [{ id: 't', input: 1, traceContext: 5 }]),
        'items["t"].traceContext',
      );
      await expectInvalid(
        () => seed('fetch', [{ id: 'q', input: 1, parentId: '' }]),
        'items["q"].parentId',
      );
      await expectInvalid(() => seed('fetch', items(1), 'soon'), 'now');
      expect(await store.counts(runId)).toEqual({});
    });
  });

  describe('claim', () => {
    it('takes the highest priority first, then the earliest available_at, up to the limit', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(
        runId,
        'fetch',
        [
          { id: 'low-early', input: 1, priority: 0, availableAt: 100 },
          { id: 'high-late', input: 2, priority: 5, availableAt: 900 },
          { id: 'high-early', input: 3, priority: 5, availableAt: 200 },
          { id: 'mid', input: 4, priority: 1, availableAt: 500 },
          { id: 'low-late', input: 5, priority: 0, availableAt: 800 },
          { id: 'negative', input: 6, priority: -1, availableAt: 0 },
        ],
        1_000,
      );
      const first = await claim(store, runId, 1_000, { limit: 3 });
      expect(first.map((c) => c.id)).toEqual(['high-early', 'high-late', 'mid']);
      const rest = await claim(store, runId, 1_000, { limit: 10 });
      expect(rest.map((c) => c.id)).toEqual(['low-early', 'low-late', 'negative']);
      expect(await claim(store, runId, 1_000)).toEqual([]);
    });

    it('returns a fresh lease per item with everything the handler needs', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(
        runId,
        'fetch',
        [
          { id: 'a', input: { url: 'https://a' }, traceContext: 'tp-a', parentId: 'src' },
          { id: 'b', input: [1, 2] },
        ],
        1_000,
      );
      const claimed = await claim(store, runId, 1_500, { owner: 'w1', leaseMs: 30_000 });
      expect(claimed).toHaveLength(2);
      expect(claimed[0]).toEqual({
        runId,
        stage: 'fetch',
        id: 'a',
        owner: 'w1',
        token: expect.any(String) as string,
        attempt: 1,
        leaseExpiresAt: 31_500,
        input: { url: 'https://a' },
        checkpoint: undefined,
        priority: 0,
        availableAt: 1_000,
        parentId: 'src',
        traceContext: 'tp-a',
      });
      expect(claimed[0]!.token).not.toBe(claimed[1]!.token);
      expect(claimed[0]!.token.length).toBeGreaterThanOrEqual(16);
      expect(await store.getItem({ runId, stage: 'fetch', id: 'b' })).toMatchObject({
        state: 'leased',
        leaseOwner: 'w1',
        leaseExpiresAt: 31_500,
        updatedAt: 1_500,
      });
    });

    it('does not claim before available_at, nor a retry before its backoff ends', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', [{ id: 'later', input: 1, availableAt: 5_000 }], 1_000);
      expect(await claim(store, runId, 4_999)).toEqual([]);
      expect(await store.nextAvailableAt(runId, 'fetch')).toBe(5_000);
      const [lease] = await claim(store, runId, 5_000);
      expect(lease?.attempt).toBe(1);
      await store.commit(
        [
          {
            kind: 'retry',
            lease: lease!,
            availableAt: 7_000,
            error: 'HTTP 503',
            category: 'recoverable',
            delayMs: 2_000,
          },
        ],
        5_000,
      );
      expect((await store.getItem({ runId, stage: 'fetch', id: 'later' }))?.state).toBe(
        'retry_wait',
      );
      expect(await claim(store, runId, 6_999)).toEqual([]);
      expect(await store.nextAvailableAt(runId, 'fetch')).toBe(7_000);
      const [again] = await claim(store, runId, 7_000);
      expect(again).toMatchObject({ id: 'later', attempt: 2 });
      expect(await store.nextAvailableAt(runId, 'fetch')).toBeUndefined();
    });

    it('claims only the given run and stage', async () => {
      const store = ctx.store();
      const runA = await ctx.newRun();
      const runB = await ctx.newRun();
      await store.seedItems(runA, 'fetch', items(2), 1_000);
      await store.seedItems(runA, 'parse', items(2), 1_000);
      await store.seedItems(runB, 'fetch', items(2), 1_000);
      const claimed = await claim(store, runA, 1_000, { stage: 'parse' });
      expect(claimed.map((c) => [c.runId, c.stage])).toEqual([
        [runA, 'parse'],
        [runA, 'parse'],
      ]);
      expect(await claim(store, 'no-such-run', 1_000)).toEqual([]);
      const counts = await store.counts(runA);
      expect([counts.fetch?.pending, counts.parse?.leased]).toEqual([2, 2]);
    });

    it('hands out every item exactly once across batches', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', items(250), 1_000);
      const seen = new Set<string>();
      for (let batch = 0; batch < 10; batch++) {
        const claimed = await claim(store, runId, 1_000 + batch, { limit: 40 });
        for (const c of claimed) {
          expect(seen.has(c.id)).toBe(false);
          seen.add(c.id);
        }
        await store.commit(
          claimed.map((c) => complete(c)),
          1_000 + batch,
        );
      }
      expect(seen.size).toBe(250);
      expect((await store.counts(runId)).fetch?.completed).toBe(250);
    });

    it('names the field of every bad argument', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      const base = { runId, stage: 'fetch', owner: 'w', limit: 10, leaseMs: 1_000, now: 1 };
      const bad = (patch: Record<string, unknown>) => store.claim({ ...base, ...patch });
      await expectInvalid(() => bad({ runId: '' }), 'claim.runId');
      await expectInvalid(() => bad({ stage: undefined }), 'claim.stage');
      await expectInvalid(() => bad({ owner: 3 }), 'claim.owner');
      await expectInvalid(
        () => bad({ limit: 0 }),
        'claim.limit',
        /must be an integer in \[1, 10000\], got 0/,
      );
      await expectInvalid(() => bad({ limit: 10_001 }), 'claim.limit');
      await expectInvalid(() => bad({ leaseMs: 0 }), 'claim.leaseMs');
      await expectInvalid(() => bad({ now: NaN }), 'claim.now');
      await expectInvalid(() => store.claim(null as never), 'claim', /must be an object/);
      await expectInvalid(() => store.nextAvailableAt(runId, ''), 'stage');
    });
  });
}
