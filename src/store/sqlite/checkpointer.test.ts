import { existsSync, statSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeSqlite } from '../../testing/vitest/index.js';
import { createSqliteStore } from './sqlite-store.js';

/** Polls `condition` every 10 ms until it holds, or fails after `ms`. */
async function eventually(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

describeSqlite('background WAL checkpoints', (sqlite) => {
  // About 1.5 MB of items: under the 1000 pages (4 MB) at which SQLite checkpoints by itself, so
  // the database file grows only if someone else copies the WAL into it.
  const items = Array.from({ length: 1500 }, (_, i) => ({ id: `i${i}`, input: 'x'.repeat(1000) }));

  async function fill(path: string, checkpoint: 'background' | 'inline') {
    const store = await createSqliteStore({ path, checkpoint, checkpointIntervalMs: 10 });
    await store.createRun({ id: 'r', pipeline: 'p', pipelineVersion: '1' }, 1);
    for (let from = 0; from < items.length; from += 500) {
      await store.seedItems('r', 's', items.slice(from, from + 500), 1);
    }
    return store;
  }

  it('copies the WAL into the database file from another thread while the writer goes on', async () => {
    const path = `${sqlite().dir}/background.db`;
    const store = await fill(path, 'background');
    expect(await eventually(() => statSync(path).size > 1_000_000, 5000)).toBe(true);
    await store.close();
    // The checkpointer's connection is closed too: the last one out removes the WAL.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('leaves it to the writer with checkpoint: inline', async () => {
    const path = `${sqlite().dir}/inline.db`;
    const store = await fill(path, 'inline');
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(1_000_000);
    expect(statSync(path).size).toBeLessThan(500_000);
    expect(await store.counts('r')).toMatchObject({ s: { pending: 1500 } });
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
