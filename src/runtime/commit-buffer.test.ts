import Database from 'better-sqlite3';
import { expect, it, vi } from 'vitest';
import { createSqliteStore, type ClaimedItem, type Store } from '../store/index.js';
import { describeSqlite } from '../testing/vitest/index.js';
import { CommitBuffer } from './commit-buffer.js';

async function claimAll(store: Store, runId: string, n: number): Promise<ClaimedItem[]> {
  await store.createRun({ id: runId, pipeline: 'p', pipelineVersion: '1' }, 1);
  await store.seedItems(
    runId,
    's',
    Array.from({ length: n }, (_, i) => ({ id: `i${i}`, input: i })),
    1,
  );
  return store.claim({ runId, stage: 's', owner: 'w', limit: n, leaseMs: 60_000, now: 2 });
}

describeSqlite('commit buffer', (sqlite) => {
  it('flushes what arrived while a slow commit was in flight (a networked store)', async () => {
    const sqliteStore = await createSqliteStore({ path: sqlite().path });
    const items = await claimAll(sqliteStore, 'slow', 2);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const commits: number[] = [];
    // The first commit takes as long as the test says, like a round trip to PostgreSQL.
    const store: Store = {
      ...sqliteStore,
      commit: async (outcomes, now) => {
        if (commits.length === 0) await gate;
        commits.push(outcomes.length);
        return sqliteStore.commit(outcomes, now);
      },
    };
    vi.useFakeTimers();
    try {
      const buffer = new CommitBuffer(store, { maxDelayMs: 5, now: () => 3 });
      buffer.add({ kind: 'complete', lease: items[0]!, output: 1 });
      await vi.advanceTimersByTimeAsync(5); // the first flush starts and waits at the gate
      buffer.add({ kind: 'complete', lease: items[1]!, output: 2 });
      await vi.advanceTimersByTimeAsync(5); // its timer fires during that flush: nothing to do
      release();
      await vi.advanceTimersByTimeAsync(20);
      expect(commits).toEqual([1, 1]);
      expect(buffer.size).toBe(0);
    } finally {
      vi.useRealTimers();
      await sqliteStore.close();
    }
  });

  it('groups outcomes into few transactions and flushes on demand', async () => {
    const store = await createSqliteStore({ path: sqlite().path });
    const items = await claimAll(store, 'group', 1200);
    const batches: number[] = [];
    const buffer = new CommitBuffer(store, {
      maxBatch: 500,
      maxDelayMs: 1000,
      now: () => 3,
      onFlush: (result) => batches.push(result.applied),
    });
    for (const item of items) buffer.add({ kind: 'complete', lease: item, output: null });
    await buffer.flush();
    expect(batches).toEqual([500, 500, 200]);
    expect((await store.counts('group')).s?.completed).toBe(1200);
    await store.close();
  });

  it('keeps outcomes through a locked database and commits them once it is free', async () => {
    const store = await createSqliteStore({ path: sqlite().path, busyTimeoutMs: 5 });
    const items = await claimAll(store, 'locked', 10);
    const errors: unknown[] = [];
    let flushed!: () => void;
    const done = new Promise<void>((resolve) => (flushed = resolve));
    const buffer = new CommitBuffer(store, {
      maxDelayMs: 1,
      now: () => 3,
      onError: (error) => errors.push(error),
      onFlush: () => flushed(),
    });
    // Another process holds the write lock: our commits fail with SQLITE_BUSY until it lets go.
    const blocker = new Database(sqlite().path);
    blocker.exec('BEGIN EXCLUSIVE');
    for (const item of items) buffer.add({ kind: 'complete', lease: item, output: 'ok' });
    while (errors.length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(buffer.size).toBe(10);
    blocker.exec('COMMIT');
    blocker.close();
    await done;
    expect((await store.counts('locked')).s?.completed).toBe(10);
    expect(String(errors[0])).toMatch(/locked|busy/i);
    await store.close();
  });
});
