import { afterEach, expect, it } from 'vitest';
import { describeSqlite } from '../../testing/vitest/index.js';
import type { ClaimedItem, Lease, Outcome, Store } from '../store.js';
import { createSqliteStore } from './sqlite-store.js';

/**
 * The SQLite store's fast paths for the leases it handed out itself (claimed.ts, commit.ts): the
 * set-based commit of a claim's plain completes, and fencing by seq. Each must give exactly what
 * applying the batch row by row, in order, gives; the contract suite checks the rest.
 */
describeSqlite('sqlite store: own leases', (sqlite) => {
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  const open = async (path = sqlite().path) => {
    const store = await createSqliteStore({ path });
    opened.push(store);
    return store;
  };
  let runs = 0;
  async function setup(count: number, store?: Store) {
    const s = store ?? (await open());
    const runId = `own-${process.pid}-${++runs}`;
    await s.createRun({ id: runId, pipeline: 'p', pipelineVersion: '1' }, 1_000);
    const seeded = Array.from({ length: count }, (_, n) => ({ id: `item-${n}`, input: { n } }));
    await s.seedItems(runId, 'fetch', seeded, 1_000);
    const leases = await s.claim({
      runId,
      stage: 'fetch',
      owner: 'w',
      limit: count,
      leaseMs: 1_000,
      now: 1_000,
    });
    expect(leases).toHaveLength(count);
    return { store: s, runId, leases };
  }
  const complete = (lease: Lease, output: unknown = null, degraded?: boolean): Outcome => ({
    kind: 'complete',
    lease,
    output,
    ...(degraded === undefined ? {} : { degraded }),
  });
  const states = async (store: Store, runId: string) =>
    (await store.listItems({ runId, stage: 'fetch' })).items.map((i) => [i.id, i.state, i.output]);

  it('hands out frozen leases whose tokens share a random nonce and differ per item', async () => {
    const { leases } = await setup(3);
    for (const lease of leases) expect(Object.isFrozen(lease)).toBe(true);
    const nonce = (token: string) => token.slice(0, token.lastIndexOf('.'));
    expect(nonce(leases[0]!.token)).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(leases.map((l) => nonce(l.token))).size).toBe(1);
    expect(new Set(leases.map((l) => l.token)).size).toBe(3);
    // Nothing internal shows: the public fields only.
    expect(Object.keys(leases[0]!).sort()).toEqual(
      [
        ...['runId', 'stage', 'id', 'owner', 'token', 'attempt', 'leaseExpiresAt', 'input'],
        ...['checkpoint', 'priority', 'availableAt', 'parentId', 'traceContext'],
      ].sort(),
    );
    expect(Object.getOwnPropertySymbols(leases[0]!)).toEqual([]);
  });

  it("reports a group's stale lease as fenced and applies the rest of the group", async () => {
    const { store, runId, leases } = await setup(20);
    expect(await store.commit([complete(leases[5]!, 'first')], 1_100)).toEqual({
      applied: 1,
      fenced: [],
    });
    const result = await store.commit(
      leases.map((lease) => complete(lease)),
      1_200,
    );
    expect(result).toEqual({ applied: 19, fenced: [leases[5]] });
    expect(result.fenced[0]).toBe(leases[5]);
    const items = await states(store, runId);
    expect(items.filter(([, state]) => state === 'completed')).toHaveLength(20);
    expect(items.find(([id]) => id === 'item-5')?.[2]).toBe('first');
    expect((await store.counts(runId)).fetch).toMatchObject({ completed: 20, leased: 0 });
  });

  it('groups by output and degraded flag, and keeps each outcome its own', async () => {
    const { store, runId, leases } = await setup(40);
    const outcomes = leases.map((lease, n) =>
      n < 10
        ? complete(lease, 'a')
        : n < 20
          ? complete(lease, { x: 1 }, true)
          : n < 30
            ? complete(lease, 'a', true)
            : complete(lease, n),
    );
    expect(await store.commit(outcomes, 1_100)).toEqual({ applied: 40, fenced: [] });
    const byId = new Map(
      (await store.listItems({ runId, stage: 'fetch' })).items.map((i) => [i.id, i]),
    );
    for (let n = 0; n < 40; n++) {
      const item = byId.get(`item-${n}`)!;
      expect(item).toMatchObject({ state: 'completed', attempts: 1, completedAt: 1_100 });
      expect(item.output).toEqual(n < 10 ? 'a' : n < 20 ? { x: 1 } : n < 30 ? 'a' : n);
      expect(item.degraded).toBe(n >= 10 && n < 30);
    }
    expect((await store.counts(runId)).fetch).toMatchObject({ completed: 40, degraded: 20 });
  });

  it('applies in input order when a lease repeats in the batch', async () => {
    const { store, runId, leases } = await setup(10);
    const result = await store.commit(
      [
        { kind: 'checkpoint', lease: leases[0]!, state: { page: 2 } },
        ...leases.map((lease) => complete(lease, 'done')),
        complete(leases[3]!, 'again'),
      ],
      1_100,
    );
    expect(result).toEqual({ applied: 11, fenced: [leases[3]] });
    expect(await store.getItem(leases[0]!)).toMatchObject({
      state: 'completed',
      checkpoint: { page: 2 },
      output: 'done',
    });
    expect((await store.getItem(leases[3]!))?.output).toBe('done');
    expect((await store.counts(runId)).fetch).toMatchObject({ completed: 10, leased: 0 });
  });

  it('applies in input order when a lease of the batch is a copy', async () => {
    const { store, runId, leases } = await setup(10);
    const copy = { ...leases[1]! };
    const result = await store.commit(
      [complete(copy, 'copy'), ...leases.map((lease) => complete(lease, 'own'))],
      1_100,
    );
    // Row by row, the copy came first: the original of the same lease is the stale one.
    expect(result).toEqual({ applied: 10, fenced: [leases[1]] });
    expect(result.fenced[0]).toBe(leases[1]);
    expect((await store.getItem(leases[1]!))?.output).toBe('copy');
    expect((await states(store, runId)).filter(([, , output]) => output === 'own')).toHaveLength(9);
  });

  it('fences a mixed batch of own leases exactly like row by row', async () => {
    const { store, runId, leases } = await setup(30);
    await store.commit([{ kind: 'release', lease: leases[7]! }], 1_050);
    const [again] = await store.claim({
      runId,
      stage: 'fetch',
      owner: 'w2',
      limit: 1,
      leaseMs: 1_000,
      now: 1_060,
    });
    expect(again?.id).toBe(leases[7]!.id);
    const outcomes: Outcome[] = leases.map((lease, n) =>
      n % 10 === 3
        ? {
            kind: 'retry',
            lease,
            availableAt: 5_000,
            error: 'e',
            category: 'recoverable',
            delayMs: 4_000,
          }
        : complete(lease),
    );
    const result = await store.commit(outcomes, 1_100);
    expect(result).toEqual({ applied: 29, fenced: [leases[7]] });
    expect((await store.getItem(again!))?.state).toBe('leased');
    expect((await store.counts(runId)).fetch).toMatchObject({
      completed: 26,
      retry_wait: 3,
      leased: 1,
    });
    expect(await store.commit([complete(again!, 'late')], 1_200)).toEqual({
      applied: 1,
      fenced: [],
    });
  });

  it("takes another store's ClaimedItem for a foreign lease, fenced by ID", async () => {
    const a = await setup(10, await open(`${sqlite().dir}/own-a.db`));
    const b = await open(`${sqlite().dir}/own-b.db`);
    await b.createRun({ id: a.runId, pipeline: 'p', pipelineVersion: '1' }, 1_000);
    await b.seedItems(a.runId, 'fetch', [{ id: 'item-0', input: 0 }], 1_000);
    const [mine] = await b.claim({
      runId: a.runId,
      stage: 'fetch',
      owner: 'w',
      limit: 1,
      leaseMs: 1_000,
      now: 1_000,
    });
    // Same run, stage, ID and owner, another file: a's leases name no lease of b's.
    const result = await b.commit(
      a.leases.map((lease) => complete(lease)),
      1_100,
    );
    expect(result).toEqual({ applied: 0, fenced: a.leases });
    expect(await b.heartbeat('w', a.leases, 1_000, 1_100)).toBe(0);
    expect(await b.heartbeat('w', [mine!], 1_000, 1_100)).toBe(1);
    expect(await b.commit([complete(mine!)], 1_200)).toEqual({ applied: 1, fenced: [] });
    // A ClaimedItem of another connection to the same file is checked and fenced by ID too.
    const same = await open(`${sqlite().dir}/own-a.db`);
    expect(
      await same.commit(
        a.leases.map((lease) => complete(lease, 'other')),
        1_300,
      ),
    ).toEqual({
      applied: 10,
      fenced: [],
    });
  });

  it('extends own leases by seq and copies by ID, always fenced by the given owner', async () => {
    const { store, leases } = await setup(3);
    const [a, b, c] = leases as [ClaimedItem, ClaimedItem, ClaimedItem];
    expect(await store.heartbeat('w', [a, { ...b }, { ...c, token: 'forged' }], 5_000, 1_100)).toBe(
      2,
    );
    expect(await store.heartbeat('someone-else', [a, { ...b }], 5_000, 1_100)).toBe(0);
    expect((await store.getItem(a))?.leaseExpiresAt).toBe(6_100);
    expect((await store.getItem(b))?.leaseExpiresAt).toBe(6_100);
    expect((await store.getItem(c))?.leaseExpiresAt).toBe(2_000);
  });

  it('still refuses bad payloads on own leases, naming the field', async () => {
    const { store, leases } = await setup(10);
    const outcomes = leases.map((lease) => complete(lease));
    outcomes[4] = complete(leases[4]!, { bad: NaN });
    await expect(store.commit(outcomes, 1_100)).rejects.toMatchObject({
      field: 'outcomes[4] (item "item-4").output.bad',
    });
    outcomes[4] = {
      kind: 'complete',
      lease: leases[4]!,
      output: null,
      next: { stage: 'b', items: [{ id: '', input: 1 }] },
    };
    await expect(store.commit(outcomes, 1_100)).rejects.toMatchObject({
      field: 'outcomes[4] (item "item-4").next.items[0].id',
    });
    expect((await store.getItem(leases[0]!))?.state).toBe('leased');
  });
});
