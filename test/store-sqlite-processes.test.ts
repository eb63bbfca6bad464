import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createSqliteStore } from '../src/store/index.js';
import { describeSqlite } from '../src/testing/vitest/index.js';

/**
 * Several worker PROCESSES on one SQLite file, truly in parallel (in-process stores take turns
 * on one thread): claims never overlap, and every item is completed exactly once.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const claimer = fileURLToPath(new URL('./fixtures/sqlite-claimer.ts', import.meta.url));

function runClaimer(path: string, runId: string, owner: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', claimer, path, runId, owner], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as string[]);
      else reject(new Error(`${owner} exited with ${code}: ${err}`));
    });
  });
}

describeSqlite('sqlite store across processes', (sqlite) => {
  it('never hands one item to two worker processes', async () => {
    const { path } = sqlite();
    const store = await createSqliteStore({ path });
    const total = 3_000;
    await store.createRun({ id: 'parallel', pipeline: 'p', pipelineVersion: '1' }, 1);
    await store.seedItems(
      'parallel',
      'fetch',
      Array.from({ length: total }, (_, i) => ({ id: `item-${i}`, input: i })),
      1,
    );
    const owners = ['proc-a', 'proc-b', 'proc-c'];
    const results = await Promise.all(owners.map((owner) => runClaimer(path, 'parallel', owner)));
    const all = results.flat();
    expect(all.length).toBe(total);
    expect(new Set(all).size).toBe(total);
    expect((await store.counts('parallel')).fetch).toMatchObject({ completed: total, total });
    // Each item's output names the process that completed it: the one that claimed it.
    const byOwner = new Map(owners.map((owner, i) => [owner, new Set(results[i])]));
    let after: string | undefined;
    do {
      const page = await store.listItems({ runId: 'parallel' }, { limit: 1_000, after });
      for (const item of page.items)
        expect(byOwner.get(item.output as string)?.has(item.id)).toBe(true);
      after = page.next;
    } while (after !== undefined);
    await store.close();
  }, 60_000);
});
