import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
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
    const first = start(db, 40);
    await first.progress;
    first.proc.kill('SIGINT');
    const [firstCode] = await first.exited;
    expect(firstCode).toBe(130);
    expect(first.output()).toContain('Stopped early');

    const second = start(db, 40);
    const [secondCode] = await second.exited;
    expect(secondCode).toBe(0);
    expect(second.output()).toContain('Resuming the quickstart run where it stopped.');
    expect(second.output()).toMatch(/Run quickstart: completed/);
    expect(second.output()).toMatch(/fetch-article\s+40\s/);

    const third = start(db, 40);
    const [thirdCode] = await third.exited;
    expect(thirdCode).toBe(0);
    expect(third.output()).toContain('already completed');
  }, 120_000);
});
