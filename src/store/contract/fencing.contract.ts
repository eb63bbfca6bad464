import { describe, expect, it } from 'vitest';
import type { ClaimedItem, Outcome, Store } from '../store.js';
import {
  claim,
  complete,
  expectInvalid,
  items,
  leaseMs,
  type ContractContext,
} from './context.contract.js';

/**
 * The core invariant: every write on a leased item is fenced by owner and token, so a worker
 * that lost its lease (expired and reclaimed, released, already committed) changes nothing.
 */
const outcomeOf: Record<Outcome['kind'], (lease: ClaimedItem) => Outcome> = {
  complete: (lease) => ({
    kind: 'complete',
    lease,
    output: 'late',
    next: { stage: 'parse', items: [{ id: `${lease.id}-child`, input: 1 }] },
  }),
  retry: (lease) => ({
    kind: 'retry',
    lease,
    availableAt: 9_999,
    error: 'late',
    category: 'recoverable',
    delayMs: 5,
  }),
  dead: (lease) => ({ kind: 'dead', lease, error: 'late', category: 'non_recoverable' }),
  skip: (lease) => ({ kind: 'skip', lease, reason: 'late' }),
  release: (lease) => ({ kind: 'release', lease }),
  checkpoint: (lease) => ({ kind: 'checkpoint', lease, state: { page: 'late' } }),
};
const kinds = Object.keys(outcomeOf) as Outcome['kind'][];

async function snapshot(store: Store, runId: string) {
  const page = await store.listItems({ runId });
  const history = await Promise.all(page.items.map((item) => store.retryHistory(item)));
  const dead = await store.deadLetters({ runId, includeRetried: true });
  return { items: page.items, history, dead: dead.items, counts: await store.counts(runId) };
}

export function fencingContract(ctx: ContractContext): void {
  describe('commit fencing', () => {
    it.each(kinds)('a %s under a reclaimed lease changes nothing', async (kind) => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', items(1), 1_000);
      const [stale] = await claim(store, runId, 1_000, { owner: 'slow' });
      expect(await store.reclaimExpired(1_000 + leaseMs, 100, { runId })).toBe(1);
      const [fresh] = await claim(store, runId, 2_000, { owner: 'fast' });
      expect(fresh?.attempt).toBe(2);
      const before = await snapshot(store, runId);
      const result = await store.commit([outcomeOf[kind](stale!)], 2_100);
      expect(result).toEqual({ applied: 0, fenced: [stale] });
      expect(result.fenced[0]).toBe(stale); // the caller's own object, to match it up
      expect(await snapshot(store, runId)).toEqual(before);
      // The new holder still commits.
      expect(await store.commit([complete(fresh!, 'fresh')], 2_200)).toEqual({
        applied: 1,
        fenced: [],
      });
      expect((await store.getItem(fresh!))?.output).toBe('fresh');
    });

    it.each(kinds)('a %s with a wrong token or owner changes nothing', async (kind) => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', items(1), 1_000);
      const [lease] = await claim(store, runId, 1_000, { owner: 'w1' });
      const before = await snapshot(store, runId);
      const wrongToken = { ...lease!, token: `${lease!.token}x` };
      const wrongOwner = { ...lease!, owner: 'w2' };
      const otherStage = { ...lease!, stage: 'parse' };
      const outcomes = [wrongToken, wrongOwner, otherStage].map((l) => outcomeOf[kind](l));
      const result = await store.commit(outcomes, 1_100);
      expect(result).toEqual({ applied: 0, fenced: [wrongToken, wrongOwner, otherStage] });
      expect(await snapshot(store, runId)).toEqual(before);
    });

    it('completes an item once: a second commit of the same lease is fenced', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', items(1), 1_000);
      const [lease] = await claim(store, runId, 1_000);
      expect((await store.commit([complete(lease!, 'first')], 1_100)).applied).toBe(1);
      for (const kind of kinds) {
        expect(await store.commit([outcomeOf[kind](lease!)], 1_200)).toEqual({
          applied: 0,
          fenced: [lease],
        });
      }
      expect(await store.getItem(lease!)).toMatchObject({
        state: 'completed',
        output: 'first',
        attempts: 1,
        completedAt: 1_100,
      });
      // Both in one batch: only the first applies.
      await store.seedItems(runId, 'fetch', [{ id: 'twice', input: 0 }], 1_300);
      const [twice] = await claim(store, runId, 1_300);
      expect(await store.commit([complete(twice!, 1), complete(twice!, 2)], 1_400)).toEqual({
        applied: 1,
        fenced: [twice],
      });
      expect((await store.getItem(twice!))?.output).toBe(1);
    });

    it('applies outcomes naming one item in input order within a batch', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', items(3), 1_000);
      const [a, b, c] = await claim(store, runId, 1_000);
      const copyOfB = { ...b! };
      // A checkpoint, then the completion of the same lease; a handmade copy of b's lease (not
      // the store's own object) completing it after the store's own did; c released then retried.
      const result = await store.commit(
        [
          { kind: 'checkpoint', lease: a!, state: { step: 1 } },
          complete(b!, 'own'),
          complete(a!, 'done'),
          { kind: 'complete', lease: copyOfB, output: 'copy' },
          { kind: 'release', lease: c! },
          {
            kind: 'retry',
            lease: c!,
            availableAt: 2_000,
            error: 'e',
            category: 'recoverable',
            delayMs: 1,
          },
        ],
        1_100,
      );
      expect(result.applied).toBe(4);
      expect(result.fenced).toHaveLength(2);
      expect(result.fenced[0]).toBe(copyOfB);
      expect(result.fenced[1]).toBe(c);
      expect(await store.getItem(a!)).toMatchObject({
        state: 'completed',
        output: 'done',
        checkpoint: { step: 1 },
      });
      expect(await store.getItem(b!)).toMatchObject({ state: 'completed', output: 'own' });
      expect(await store.getItem(c!)).toMatchObject({ state: 'pending', attempts: 0 });
      expect(await store.retryHistory(c!)).toEqual([]);
    });

    it('still accepts a commit after expiry while nobody has reclaimed the lease', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', items(1), 1_000);
      const [lease] = await claim(store, runId, 1_000);
      expect((await store.commit([complete(lease!)], 1_000 + 10 * leaseMs)).applied).toBe(1);
    });

    it('applies a mixed batch in one go and reports exactly the stale ones', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', items(6), 1_000);
      const leases = await claim(store, runId, 1_000);
      const stale = { ...leases[5]!, token: 'forged' };
      const result = await store.commit(
        [
          complete(leases[0]!),
          outcomeOf.retry(leases[1]!),
          outcomeOf.dead(leases[2]!),
          outcomeOf.skip(leases[3]!),
          outcomeOf.release(leases[4]!),
          complete(stale),
          outcomeOf.checkpoint(leases[5]!),
        ],
        1_100,
      );
      expect(result).toEqual({ applied: 6, fenced: [stale] });
      const states = (await store.listItems({ runId, stage: 'fetch' })).items.map((i) => [
        i.id,
        i.state,
        i.attempts,
      ]);
      expect(states).toEqual([
        ['item-0', 'completed', 1],
        ['item-1', 'retry_wait', 1],
        ['item-2', 'dead', 1],
        ['item-3', 'skipped', 1],
        ['item-4', 'pending', 0],
        ['item-5', 'leased', 0],
      ]);
    });

    it('records what each outcome says', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', items(4), 1_000);
      const [a, b, c, d] = await claim(store, runId, 1_000);
      await store.commit(
        [
          { kind: 'checkpoint', lease: a!, state: { offset: 10 } },
          { kind: 'complete', lease: b!, output: { partial: true }, degraded: true },
          {
            kind: 'retry',
            lease: c!,
            availableAt: 3_000,
            error: 'HTTP 429',
            category: 'rate_limited',
            delayMs: 1_900,
          },
          { kind: 'skip', lease: d!, reason: 'filtered out' },
        ],
        1_100,
      );
      expect(await store.getItem(a!)).toMatchObject({
        state: 'leased',
        checkpoint: { offset: 10 },
      });
      expect(await store.getItem(b!)).toMatchObject({
        state: 'completed',
        output: { partial: true },
        degraded: true,
        completedAt: 1_100,
        leaseOwner: null,
        leaseExpiresAt: null,
      });
      expect(await store.getItem(c!)).toMatchObject({
        state: 'retry_wait',
        availableAt: 3_000,
        lastError: 'HTTP 429',
        lastCategory: 'rate_limited',
      });
      expect(await store.retryHistory(c!)).toEqual([
        {
          runId,
          stage: 'fetch',
          id: c!.id,
          attempt: 1,
          category: 'rate_limited',
          error: 'HTTP 429',
          delayMs: 1_900,
          at: 1_100,
        },
      ]);
      expect(await store.getItem(d!)).toMatchObject({
        state: 'skipped',
        skipReason: 'filtered out',
      });
      // The checkpoint is handed to the next attempt.
      await store.commit([{ kind: 'release', lease: a! }], 1_200);
      const [again] = await claim(store, runId, 1_300);
      expect(again).toMatchObject({ id: a!.id, attempt: 1, checkpoint: { offset: 10 } });
      expect((await store.counts(runId)).fetch).toMatchObject({ degraded: 1, completed: 1 });
    });

    it('refuses a bad batch before writing any of it', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(runId, 'fetch', items(2), 1_000);
      const [a, b] = await claim(store, runId, 1_000);
      const good = complete(a!);
      const check = async (bad: unknown, field: string, message?: RegExp) => {
        await expectInvalid(() => store.commit([good, bad as Outcome], 1_100), field, message);
        expect((await store.getItem(a!))?.state).toBe('leased');
      };
      await check(
        { ...complete(b!), output: { f: () => 1 } },
        `outcomes[1] (item "${b!.id}").output.f`,
        /JSON-serializable/,
      );
      await check({ ...complete(b!), output: undefined }, `outcomes[1] (item "${b!.id}").output`);
      await check(
        { kind: 'explode', lease: b },
        'outcomes[1].kind',
        /must be one of "complete", "retry"/,
      );
      await check({ kind: 'release' }, 'outcomes[1].lease', /must be an object/);
      await check({ kind: 'release', lease: { ...b!, token: 5 } }, 'outcomes[1].lease.token');
      await check(
        { ...outcomeOf.retry(b!), category: 'weird' },
        `outcomes[1] (item "${b!.id}").category`,
      );
      await check(
        { ...outcomeOf.retry(b!), availableAt: 'soon' },
        `outcomes[1] (item "${b!.id}").availableAt`,
      );
      await check({ ...outcomeOf.retry(b!), delayMs: -1 }, `outcomes[1] (item "${b!.id}").delayMs`);
      await check({ ...outcomeOf.dead(b!), error: 42 }, `outcomes[1] (item "${b!.id}").error`);
      await check(
        { ...outcomeOf.skip(b!), reason: undefined },
        `outcomes[1] (item "${b!.id}").reason`,
      );
      await check({ ...complete(b!), degraded: 'yes' }, `outcomes[1] (item "${b!.id}").degraded`);
      await check(
        { ...outcomeOf.checkpoint(b!), state: 10n },
        `outcomes[1] (item "${b!.id}").state`,
      );
      await check(
        { ...complete(b!), next: { stage: 'parse', items: [{ id: 'c', input: NaN }] } },
        `outcomes[1] (item "${b!.id}").next.items["c"].input`,
      );
      await check(
        { ...complete(b!), next: { stage: '', items: [] } },
        `outcomes[1] (item "${b!.id}").next.stage`,
      );
      await expectInvalid(() => store.commit('nope' as never, 1), 'outcomes');
      await expectInvalid(() => store.commit([good], -5), 'now');
      expect(await store.commit([], 1_100)).toEqual({ applied: 0, fenced: [] });
    });
  });

  describe('fan-out', () => {
    it('inserts next-stage items with provenance, inherited priority and trace, idempotently', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.seedItems(
        runId,
        'fetch',
        [
          { id: 'page', input: 1, priority: 7, traceContext: 'tp-page' },
          { id: 'other', input: 2 },
        ],
        1_000,
      );
      const [page, other] = await claim(store, runId, 1_000);
      expect(page?.id).toBe('page');
      const result = await store.commit(
        [
          {
            kind: 'complete',
            lease: page!,
            output: { links: 3 },
            next: {
              stage: 'parse',
              items: [
                { id: 'a', input: { url: 'a' } },
                {
                  id: 'b',
                  input: { url: 'b' },
                  priority: 1,
                  availableAt: 4_000,
                  traceContext: 'tp-b',
                },
                { id: 'c', input: { url: 'c' } },
              ],
            },
          },
          // Another parent emitting an ID that already exists: a no-op for that ID.
          {
            kind: 'complete',
            lease: other!,
            output: {},
            next: {
              stage: 'parse',
              items: [
                { id: 'a', input: 'dup' },
                { id: 'd', input: 'd' },
              ],
            },
          },
        ],
        1_500,
      );
      expect(result.applied).toBe(2);
      const parse = (await store.listItems({ runId, stage: 'parse' })).items;
      expect(
        parse.map((i) => [
          i.id,
          i.parentStage,
          i.parentId,
          i.priority,
          i.availableAt,
          i.traceContext,
          i.input,
        ]),
      ).toEqual([
        ['a', 'fetch', 'page', 7, 1_500, 'tp-page', { url: 'a' }],
        ['b', 'fetch', 'page', 1, 4_000, 'tp-b', { url: 'b' }],
        ['c', 'fetch', 'page', 7, 1_500, 'tp-page', { url: 'c' }],
        ['d', 'fetch', 'other', 0, 1_500, null, 'd'],
      ]);
      expect((await store.listItems({ runId, parentId: 'page' })).items).toHaveLength(3);
      // Seeding an ID the fan-out already inserted changes nothing.
      await store.seedItems(runId, 'parse', [{ id: 'c', input: 'reseeded' }], 2_000);
      expect((await store.getItem({ runId, stage: 'parse', id: 'c' }))?.input).toEqual({
        url: 'c',
      });
      expect((await store.counts(runId)).parse?.pending).toBe(4);
    });
  });
}
