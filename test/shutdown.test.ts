import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createSqliteStore } from '../src/store/index.js';
import { describeSqlite } from '../src/testing/vitest/index.js';

const child = fileURLToPath(new URL('./fixtures/shutdown-child.ts', import.meta.url));

function start(args: string[]): {
  proc: ChildProcess;
  output: () => string;
  working: Promise<void>;
  stopping: Promise<void>;
} {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  // Registered first, so the checks below see each chunk already added.
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const seen = (text: string): Promise<void> =>
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (output.includes(text)) resolve();
      };
      proc.stdout.on('data', check);
      check();
    });
  return { proc, output: () => output, working: seen('working'), stopping: seen('stopping') };
}

async function countsOf(db: string) {
  const store = await createSqliteStore({ path: db });
  try {
    return (await store.counts('slow-run')).work!;
  } finally {
    await store.close();
  }
}

describeSqlite('graceful shutdown', (sqlite) => {
  it('on SIGTERM finishes running handlers, commits them, exits 143, and a rerun completes', async () => {
    const db = sqlite().path;
    const { proc, output, working } = start([db, '10000', '150', 'honour']);
    await working;
    proc.kill('SIGTERM');
    const [code] = (await once(proc, 'exit')) as [number];
    expect(code).toBe(143);
    expect(output()).toContain('exit 143');
    const counts = await countsOf(db);
    expect(counts.leased).toBe(0);
    expect(counts.completed).toBeGreaterThanOrEqual(8);
    expect(counts.completed + counts.pending).toBe(200);

    const rerun = start([db, '10000', '1', 'honour']);
    const [rerunCode] = (await once(rerun.proc, 'exit')) as [number];
    expect(rerunCode).toBe(0);
    expect((await countsOf(db)).completed).toBe(200);
  });

  it('after the deadline aborts handlers and gives back items whose handlers ignore the abort', async () => {
    const db = `${sqlite().dir}/deadline.db`;
    const { proc, working } = start([db, '100', '60000', 'ignore']);
    await working;
    const signalledAt = Date.now();
    proc.kill('SIGINT');
    const [code] = (await once(proc, 'exit')) as [number];
    expect(code).toBe(130);
    // deadline (100 ms) + abort grace (1 s) + close, far below the handlers' 60 s.
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    const counts = await countsOf(db);
    expect(counts).toMatchObject({ leased: 0, completed: 0, pending: 200 });
  });

  it('exits at once on a second signal, leaving items leased for reclaim', async () => {
    const db = `${sqlite().dir}/second-signal.db`;
    const { proc, working, stopping } = start([db, '60000', '60000', 'ignore']);
    await working;
    proc.kill('SIGTERM');
    await stopping;
    proc.kill('SIGTERM');
    const [code] = (await once(proc, 'exit')) as [number];
    expect(code).toBe(143);
    const counts = await countsOf(db);
    expect(counts.leased).toBe(8);
    expect(counts.completed).toBe(0);
  });
});
