import { describe, expect, it } from 'vitest';
import type { FailureCategory } from '../../errors/index.js';
import type { Store } from '../store.js';
import { claim, expectInvalid, type ContractContext } from './context.contract.js';

/** Dead letters, sending them back, "resume failed only", and cancelling a run. */

/** Seeds `ids` at `stage` and kills each with its category. */
async function kill(
  store: Store,
  runId: string,
  stage: string,
  dead: Record<string, FailureCategory>,
  now: number,
): Promise<void> {
  await store.seedItems(
    runId,
    stage,
    Object.keys(dead).map((id) => ({ id, input: id })),
    now,
  );
  const leases = await claim(store, runId, now, { stage });
  const result = await store.commit(
    leases.map((lease) => ({
      kind: 'dead' as const,
      lease,
      error: `${lease.id} failed`,
      category: dead[lease.id]!,
    })),
    now,
  );
  expect(result.applied).toBe(leases.length);
}

export function failuresContract(ctx: ContractContext): void {
  describe('dead letters', () => {
    async function setup() {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await kill(
        store,
        runId,
        'fetch',
        { f1: 'non_recoverable', f2: 'recoverable', f3: 'rate_limited' },
        1_000,
      );
      await kill(store, runId, 'parse', { p1: 'non_recoverable', p2: 'recoverable' }, 2_000);
      return { store, runId };
    }
    const ids = (page: { items: readonly { id: string }[] }) => page.items.map((i) => i.id);

    it('lists every dead item with its error, category and attempt', async () => {
      const { store, runId } = await setup();
      const all = await store.deadLetters({ runId });
      expect(all.items[0]).toEqual({
        runId,
        stage: 'fetch',
        id: 'f1',
        attempt: 1,
        category: 'non_recoverable',
        error: 'f1 failed',
        at: 1_000,
        retriedAt: null,
      });
      expect(ids(all)).toEqual(['f1', 'f2', 'f3', 'p1', 'p2']);
      expect(ids(await store.deadLetters({ runId, stage: 'parse' }))).toEqual(['p1', 'p2']);
      expect(ids(await store.deadLetters({ runId, category: 'recoverable' }))).toEqual([
        'f2',
        'p2',
      ]);
      expect(ids(await store.deadLetters({ runId, ids: ['f3', 'p1', 'nope'] }))).toEqual([
        'f3',
        'p1',
      ]);
      const first = await store.deadLetters({ runId }, { limit: 2 });
      expect(ids(first)).toEqual(['f1', 'f2']);
      const second = await store.deadLetters({ runId }, { limit: 2, after: first.next! });
      expect(ids(second)).toEqual(['f3', 'p1']);
      const third = await store.deadLetters({ runId }, { limit: 2, after: second.next! });
      expect([ids(third), third.next]).toEqual([['p2'], undefined]);
      expect(await store.getItem({ runId, stage: 'fetch', id: 'f1' })).toMatchObject({
        state: 'dead',
        attempts: 1,
        lastError: 'f1 failed',
        lastCategory: 'non_recoverable',
      });
    });

    it('sends them back by stage, by category and by ID, starting over', async () => {
      const { store, runId } = await setup();
      expect(await store.retryDeadLetters({ runId, stage: 'parse' }, 3_000)).toBe(2);
      expect(ids(await store.deadLetters({ runId }))).toEqual(['f1', 'f2', 'f3']);
      expect(await store.retryDeadLetters({ runId, category: 'rate_limited' }, 3_000)).toBe(1);
      expect(ids(await store.deadLetters({ runId }))).toEqual(['f1', 'f2']);
      expect(await store.retryDeadLetters({ runId, ids: ['f2'] }, 3_000)).toBe(1);
      expect(ids(await store.deadLetters({ runId }))).toEqual(['f1']);
      expect(await store.retryDeadLetters({ runId, ids: ['f2'] }, 3_100)).toBe(0);
      expect(await store.getItem({ runId, stage: 'parse', id: 'p1' })).toMatchObject({
        state: 'pending',
        attempts: 0,
        availableAt: 3_000,
        updatedAt: 3_000,
      });
      const retried = await store.deadLetters({ runId, includeRetried: true });
      expect(retried.items.map((d) => [d.id, d.retriedAt])).toEqual([
        ['f1', null],
        ['f2', 3_000],
        ['f3', 3_000],
        ['p1', 3_000],
        ['p2', 3_000],
      ]);
      // Revived items are claimable again, as a first attempt; dying again adds a new letter.
      const again = await claim(store, runId, 3_000, { stage: 'parse' });
      expect(again.map((c) => [c.id, c.attempt])).toEqual([
        ['p1', 1],
        ['p2', 1],
      ]);
      await store.commit(
        [{ kind: 'dead', lease: again[0]!, error: 'again', category: 'non_recoverable' }],
        3_500,
      );
      const p1 = (await store.deadLetters({ runId, ids: ['p1'], includeRetried: true })).items;
      expect(p1.map((d) => [d.error, d.retriedAt])).toEqual([
        ['p1 failed', 3_000],
        ['again', null],
      ]);
    });

    it('combines filters', async () => {
      const { store, runId } = await setup();
      expect(
        await store.retryDeadLetters({ runId, stage: 'fetch', category: 'recoverable' }, 3_000),
      ).toBe(1);
      expect(ids(await store.deadLetters({ runId }))).toEqual(['f1', 'f3', 'p1', 'p2']);
    });

    it('names the field of every bad argument', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await expectInvalid(() => store.deadLetters({ runId: '' }), 'filter.runId');
      await expectInvalid(
        () => store.deadLetters({ runId, category: 'bad' as never }),
        'filter.category',
      );
      await expectInvalid(() => store.deadLetters({ runId, ids: 'f1' as never }), 'filter.ids');
      await expectInvalid(() => store.deadLetters({ runId }, { limit: 0 }), 'page.limit');
      await expectInvalid(() => store.deadLetters({ runId }, { after: 'garbage' }), 'page.after');
      await expectInvalid(
        () => store.retryDeadLetters({ runId: 'no-such-run' }, 1),
        'filter.runId',
      );
      await expectInvalid(() => store.retryDeadLetters({ runId, stage: '' }, 1), 'filter.stage');
      await expectInvalid(() => store.retryDeadLetters({ runId }, Infinity), 'now');
    });
  });

  describe('resetFailed', () => {
    it('takes retry_wait and dead items back to pending, optionally for one stage', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await kill(store, runId, 'fetch', { d1: 'non_recoverable' }, 1_000);
      await kill(store, runId, 'parse', { d2: 'recoverable' }, 1_000);
      await store.seedItems(
        runId,
        'fetch',
        [
          { id: 'w1', input: 1 },
          { id: 'ok', input: 2 },
        ],
        1_000,
      );
      const [w1, ok] = await claim(store, runId, 1_000);
      await store.commit(
        [
          {
            kind: 'retry',
            lease: w1!,
            availableAt: 99_000,
            error: 'e',
            category: 'recoverable',
            delayMs: 98_000,
          },
          { kind: 'complete', lease: ok!, output: 1 },
        ],
        1_000,
      );
      expect(await store.resetFailed(runId, { stage: 'parse' }, 2_000)).toBe(1);
      expect((await store.counts(runId)).parse?.pending).toBe(1);
      expect(await store.resetFailed(runId, {}, 3_000)).toBe(2);
      const fetch = (await store.listItems({ runId, stage: 'fetch' })).items;
      expect(fetch.map((i) => [i.id, i.state, i.attempts, i.availableAt])).toEqual([
        ['d1', 'pending', 0, 3_000],
        ['ok', 'completed', 1, 1_000],
        ['w1', 'pending', 0, 3_000],
      ]);
      expect((await store.deadLetters({ runId })).items).toEqual([]);
      expect(await store.resetFailed(runId, {}, 4_000)).toBe(0);
      await expectInvalid(() => store.resetFailed('no-such-run', {}, 1), 'runId');
      await expectInvalid(
        () => store.resetFailed(runId, { stage: 5 as never }, 1),
        'options.stage',
      );
    });
  });

  describe('cancelRun', () => {
    it('skips what is waiting, leaves leased items to their workers, marks the run', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(
        runId,
        'fetch',
        ['a', 'b', 'c', 'd'].map((id) => ({ id, input: id })),
        1_000,
      );
      const [a, b, c] = await claim(store, runId, 1_000, { limit: 3 });
      await store.commit(
        [
          {
            kind: 'retry',
            lease: a!,
            availableAt: 5_000,
            error: 'e',
            category: 'recoverable',
            delayMs: 4_000,
          },
          { kind: 'complete', lease: b!, output: 'b' },
        ],
        1_100,
      );
      expect(await store.cancelRun(runId, 2_000)).toBe(2); // a (retry_wait) and d (pending)
      expect((await store.getRun(runId))?.status).toBe('cancelled');
      expect(await store.getItem({ runId, stage: 'fetch', id: 'd' })).toMatchObject({
        state: 'skipped',
        skipReason: 'cancelled',
        updatedAt: 2_000,
      });
      expect(await claim(store, runId, 9_000)).toEqual([]);
      expect(
        (await store.commit([{ kind: 'complete', lease: c!, output: 'c' }], 2_100)).applied,
      ).toBe(1);
      expect((await store.counts(runId)).fetch).toMatchObject({
        skipped: 2,
        completed: 2,
        total: 4,
      });
      await expectInvalid(() => store.cancelRun('no-such-run', 1), 'runId');
    });
  });
}
