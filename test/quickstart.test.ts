import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createSqliteStore } from '../src/store/index.js';
import { describeSqlite } from '../src/testing/vitest/index.js';

const main = fileURLToPath(new URL('../examples/quickstart/main.ts', import.meta.url));

function start(db: string, items: number) {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', main, '--db', db, '--items', String(items)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const progress = new Promise<void>((resolve) => {
    proc.stdout.on('data', () => {
      if (/download-image: \d+ done/.test(output)) resolve();
    });
  });
  const exited = once(proc, 'exit') as Promise<[number | null]>;
  return { proc, output: () => output, progress, exited };
}

describeSqlite('quickstart example', (sqlite) => {
  it('stops gracefully on Ctrl-C and resumes on the next run until completed', async () => {
    const db = sqlite().path;
    const first = start(db, 24);
    await first.progress;
    first.proc.kill('SIGINT');
    const [firstCode] = await first.exited;
    expect(firstCode).toBe(130);
    expect(first.output()).toContain('Stopped early');

    const second = start(db, 24);
    const [secondCode] = await second.exited;
    expect(secondCode).toBe(0);
    expect(second.output()).toContain('Resuming the quickstart run where it stopped.');
    expect(second.output()).toMatch(/Run quickstart: completed/);
    const store = await createSqliteStore({ path: db });
    const counts = (await store.counts('quickstart'))['fetch-article']!;
    await store.close();
    // Every article ended exactly once across the two runs: done or dead-lettered, none left.
    expect(counts.completed + counts.dead).toBe(24);
    expect(counts.total).toBe(24);

    const third = start(db, 24);
    const [thirdCode] = await third.exited;
    expect(thirdCode).toBe(0);
    expect(third.output()).toContain('already completed');
  }, 120_000);
});
