import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createSqliteStore } from '../src/store/index.js';
import { describeSqlite } from '../src/testing/vitest/index.js';

const child = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
const items = 10_000;
const kills = 20;

/** Starts the child; resolves with its exit signal or code. */
function runChild(
  db: string,
  ledger: string,
  killAfterMs?: number,
): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, db, ledger, String(items)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // Kill at a random moment after the child has started working (its first ledger line).
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
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
      // Startup (tsx + migrate) takes a few hundred ms; kill somewhere in the work after it.
      const outcome = await runChild(db, ledger, 400 + Math.floor(Math.random() * 900));
      if (outcome.signal === 'SIGKILL') killed += 1;
      else expect(outcome.code).toBe(0);
    }
    const final = await runChild(db, ledger);
    expect(final.code).toBe(0);
    expect(JSON.parse(final.stdout.trim())).toMatchObject({ status: 'completed' });
    expect(killed).toBeGreaterThan(kills / 2);

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
