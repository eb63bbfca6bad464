import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createSqliteStore } from '../src/store/index.js';
import { describeSqlite } from '../src/testing/vitest/index.js';

const child = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
const items = 10_000;
const kills = 20;

/**
 * Starts the child; resolves with its exit signal or code. With `killAfterBytes`, SIGKILLs it
 * once its ledger has grown by that many bytes, i.e. in the middle of real work, however fast
 * or slow the machine is (watching the ledger is watching the child's progress).
 */
function runChild(
  db: string,
  ledger: string,
  killAfterBytes?: number,
): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const startSize = statSync(ledger).size;
    const proc = spawn(process.execPath, ['--import', 'tsx', child, db, ledger, String(items)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const watcher =
      killAfterBytes === undefined
        ? undefined
        : setInterval(() => {
            if (statSync(ledger).size - startSize >= killAfterBytes) proc.kill('SIGKILL');
          }, 2);
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearInterval(watcher);
      resolve({ code, signal, stdout });
    });
  });
}

describeSqlite('crash safety', (sqlite) => {
  it(`loses nothing and commits each item once across ${kills} SIGKILLs`, async () => {
    const db = sqlite().path;
    const ledger = `${sqlite().dir}/ledger.txt`;
    writeFileSync(ledger, '');
    let killed = 0;
    for (let i = 0; i < kills; i++) {
      // Somewhere between ~80 and ~800 handler starts into this child's work (a ledger line is
      // about 13 bytes), so the kills land mid-run and the run is not done before the last one.
      const outcome = await runChild(db, ledger, 1_000 + Math.floor(Math.random() * 9_000));
      if (outcome.signal === 'SIGKILL') killed += 1;
      else expect(outcome.code).toBe(0);
    }
    const final = await runChild(db, ledger);
    expect(final.code).toBe(0);
    expect(JSON.parse(final.stdout.trim())).toMatchObject({ status: 'completed' });
    expect(killed).toBe(kills);

    const store = await createSqliteStore({ path: db });
    try {
      const counts = await store.counts('crash-run');
      expect(counts.double).toMatchObject({ completed: items, total: items });
      expect(counts.square).toMatchObject({ completed: items, total: items });
      for (const stage of ['double', 'square']) {
        const { items: sample } = await store.listItems({
          runId: 'crash-run',
          stage,
          ids: ['i0', 'i7', 'i9999'],
        });
        const outputs = Object.fromEntries(sample.map((item) => [item.id, item.output]));
        expect(outputs).toEqual(
          stage === 'double'
            ? { i0: 0, i7: 14, i9999: 19998 }
            : { i0: 0, i7: 196, i9999: 19998 ** 2 },
        );
      }
    } finally {
      await store.close();
    }
    // At-least-once: every item ran at least once per stage, some more than once.
    const lines = readFileSync(ledger, 'utf8').trim().split('\n');
    const distinct = new Set(lines);
    expect(distinct.size).toBe(2 * items);
    expect(lines.length).toBeGreaterThanOrEqual(2 * items);
    console.log(
      `crash test: ${killed} kills, ${lines.length - distinct.size} handler runs repeated after a kill`,
    );
  }, 300_000);
});
