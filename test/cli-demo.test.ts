/**
 * `sluice demo` through the real bin, as a newcomer runs it: it completes against the simulated
 * flaky hosts with every image in the cache, prints where to look, and Ctrl-C then a second run
 * resumes the same items and finishes, nothing fetched twice into the cache.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createSqliteStore } from '../src/store/index.js';
import { describeSqlite } from '../src/testing/vitest/index.js';

const bin = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));

function demo(args: readonly string[], cwd: string) {
  const child = spawn(process.execPath, [bin, 'demo', ...args], {
    cwd,
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  return { child, out, exited: once(child, 'exit').then(([code]) => code as number | null) };
}

describeSqlite('sluice demo', (sqlite) => {
  it('runs to completion, fills the cache, and says where to look', async () => {
    const db = join(sqlite().dir, 'first', 'demo.db');
    const run = demo(['--articles', '15', '--db', db], sqlite().dir);
    expect(await run.exited).toBe(0);
    expect(run.out.stdout).toContain('run demo: completed');
    expect(run.out.stdout).toMatch(/Cache: 60 images in 1 distinct files/);
    expect(run.out.stdout).toContain(`npx sluice status demo --db ${db}`);
    expect(run.out.stderr).toMatch(/dashboard http:\/\/127\.0\.0\.1:\d+\/dashboard\/#token=/);
    const store = await createSqliteStore({ path: db });
    expect((await store.counts('demo')).images).toMatchObject({ total: 60, completed: 60 });
    await store.close();
  }, 90_000);

  it('stops on Ctrl-C with 130 and resumes on the next run', async () => {
    const db = join(sqlite().dir, 'second', 'demo.db');
    mkdirSync(dirname(db), { recursive: true });
    const store = await createSqliteStore({ path: db });
    const first = demo(['--articles', '80', '--db', db, '--no-serve'], sqlite().dir);
    // Wait until some images are done, then interrupt.
    await expect
      .poll(async () => (await store.counts('demo')).images?.completed ?? 0, {
        timeout: 60_000,
        interval: 100,
      })
      .toBeGreaterThan(0);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(130);
    expect(first.out.stdout).toContain('stopped early');
    const second = demo(['--articles', '80', '--db', db, '--no-serve'], sqlite().dir);
    expect(await second.exited).toBe(0);
    expect(second.out.stdout).toContain('Resuming the demo run');
    expect(second.out.stdout).toMatch(/Cache: 320 images/);
    await store.close();
  }, 120_000);

  it('refuses a bad --articles with exit 2, naming the flag', async () => {
    const run = demo(['--articles', 'lots', '--db', join(sqlite().dir, 'x.db')], sqlite().dir);
    expect(await run.exited).toBe(2);
    expect(run.out.stderr).toContain('--articles must be an integer in [1, 100000], got "lots"');
  });
});
