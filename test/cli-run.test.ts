/**
 * `sluice run`, `worker` and `resume` through the real bin in child processes, on a pipeline
 * file as a user writes one (test/fixtures/run-pipeline.ts): exit codes, output on the right
 * stream, config errors naming the field, SIGTERM then resume with nothing done twice, and
 * --serve printing a working dashboard URL.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createSqliteStore } from '../src/store/index.js';
import { describePostgres, describeSqlite } from '../src/testing/vitest/index.js';

/** The package's bin, as `npx sluice` runs it from a clone: sources through tsx, no build. */
const bin = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));
const pipelineFile = fileURLToPath(new URL('./fixtures/run-pipeline.ts', import.meta.url));

function start(args: readonly string[], env: Record<string, string> = {}, cwd?: string) {
  const {
    SLUICE_DB: _db,
    SLUICE_API_TOKEN: _t,
    SLUICE_API_TOKENS: _ts,
    ...inherited
  } = process.env;
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...inherited, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {}),
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, out, exited };
}

async function sluice(args: readonly string[], env: Record<string, string> = {}, cwd?: string) {
  const { out, exited } = start(args, env, cwd);
  const code = await exited;
  return { code, ...out };
}

describeSqlite('sluice run, worker, resume', (sqlite) => {
  const db = () => sqlite().path;

  it('runs a TypeScript pipeline file to the end: summary on stdout, exit 0', async () => {
    const log = join(sqlite().dir, 'ok.log');
    const { code, stdout, stderr } = await sluice(
      ['run', pipelineFile, '--db', db(), '--run-id', 'ok', '--concurrency', '4'],
      { RUN_LOG: log },
    );
    expect(stderr).not.toContain('Error');
    expect(code).toBe(0);
    expect(stdout).toContain('run ok: completed');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(20);
    const store = await createSqliteStore({ path: db() });
    expect((await store.counts('ok')).note?.completed).toBe(20);
    expect((await store.listCheckpoints('ok')).map((c) => c.name)).toContain('cli.pipeline-file');
    await store.close();
  });

  it('exits 1 when items are dead, and says where to look; --json is one document', async () => {
    const { code, stdout } = await sluice(
      ['run', pipelineFile, '--db', db(), '--run-id', 'dead', '--json'],
      { FAIL_EVERY: '5' },
    );
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as {
      status: string;
      exitCode: number;
      counts: Record<string, { dead: number }>;
    };
    expect(result).toMatchObject({ status: 'completed', exitCode: 1 });
    expect(result.counts.double?.dead).toBe(4);
  });

  it('exits 2 for a file without a pipeline, and for bad settings, naming the field and source', async () => {
    const notAPipeline = join(sqlite().dir, 'empty.ts');
    writeFileSync(notAPipeline, 'export const answer = 42;\n');
    const noExport = await sluice(['run', notAPipeline, '--db', db()]);
    expect(noExport.code).toBe(2);
    expect(noExport.stderr).toMatch(
      /must export `pipeline` .* it exports answer \(SLUICE_BAD_PIPELINE_FILE\)$/m,
    );
    const missing = await sluice(['run', join(sqlite().dir, 'nope.ts'), '--db', db()]);
    expect(missing.code).toBe(2);
    const badEnv = await sluice(['run', pipelineFile, '--db', db()], {
      SLUICE_CONCURRENCY: 'many',
    });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('SLUICE_CONCURRENCY must be an integer >= 1, got "many"');
    const badFlag = await sluice(['run', pipelineFile, '--db', db(), '--concurrency', '0']);
    expect(badFlag.stderr).toContain('--concurrency must be an integer >= 1');
    // The config file is read from the working directory, and flags win over it.
    writeFileSync(join(sqlite().dir, 'sluice.config.json'), JSON.stringify({ concurency: 2 }));
    const typo = await sluice(['run', pipelineFile, '--db', db()], {}, sqlite().dir);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /sluice\.config\.json: concurency must be absent \(known settings: db, concurrency/,
    );
    const unknownFlag = await sluice(['run', pipelineFile, '--bogus']);
    expect(unknownFlag.code).toBe(2);
  });

  it('stops on SIGTERM with 143, then resume finishes the run with nothing done twice', async () => {
    const gate = join(sqlite().dir, 'gate');
    const log = join(sqlite().dir, 'resume.log');
    const env = { GATE_FILE: gate, RUN_LOG: log, SLUICE_SHUTDOWN_DEADLINE_MS: '300' };
    const running = start(['run', pipelineFile, '--db', db(), '--run-id', 'halt'], env);
    // Wait for the run to exist in the store, then stop it while `double` waits at the gate.
    const store = await createSqliteStore({ path: db() });
    await expect
      .poll(async () => (await store.counts('halt')).double?.total ?? 0, { timeout: 20_000 })
      .toBe(20);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(143);
    expect(running.out.stdout).toContain('stopped early');
    writeFileSync(gate, '');
    const resumed = await sluice(['resume', 'halt', '--db', db()], env);
    expect(resumed.stderr).not.toMatch(/error/i);
    expect(resumed.code).toBe(0);
    expect((await store.counts('halt')).note?.completed).toBe(20);
    const notes = readFileSync(log, 'utf8').trim().split('\n');
    expect(new Set(notes).size).toBe(20);
    expect(notes).toHaveLength(20);
    await store.close();
    const unknown = await sluice(['resume', 'nope', '--db', db()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no run "nope"');
  });

  it('resume --failed-only retries the dead items; a worker drains a run without seeding', async () => {
    const failed = await sluice(['run', pipelineFile, '--db', db(), '--run-id', 'retry'], {
      FAIL_EVERY: '5',
    });
    expect(failed.code).toBe(1);
    const again = await sluice(['resume', 'retry', '--db', db(), '--failed-only']);
    expect(again.code).toBe(0);
    const store = await createSqliteStore({ path: db() });
    expect((await store.counts('retry')).double).toMatchObject({ completed: 20, dead: 0 });
    await store.createRun({ id: 'joined', pipeline: 'cli-run', pipelineVersion: '1' }, Date.now());
    await store.seedItems('joined', 'double', [{ id: 'x', input: 21 }], Date.now());
    await store.close();
    const worker = await sluice([
      'worker',
      pipelineFile,
      '--db',
      db(),
      '--run-id',
      'joined',
      '--drain',
    ]);
    expect(worker.code).toBe(0);
    const after = await createSqliteStore({ path: db() });
    expect((await after.counts('joined')).note).toMatchObject({ total: 1, completed: 1 });
    await after.close();
  });

  it('--serve prints the dashboard URL with a token that opens the API', async () => {
    const gate = join(sqlite().dir, 'serve-gate');
    const running = start(
      ['run', pipelineFile, '--db', db(), '--run-id', 'served', '--serve', '--port', '0'],
      {
        GATE_FILE: gate,
      },
    );
    await expect
      .poll(() => running.out.stderr, { timeout: 20_000 })
      .toMatch(/dashboard http:\/\/\S+#token=\S+/);
    const [, base, token] = /dashboard (http:\/\/[^/\s]+)\/dashboard\/#token=(\S+)/.exec(
      running.out.stderr,
    )!;
    const progress = await fetch(`${base}/api/v1/runs/served/progress`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(progress.status).toBe(200);
    expect((await fetch(`${base}/dashboard/`)).status).toBe(200);
    writeFileSync(gate, '');
    expect(await running.exited).toBe(0);
  });
});

describePostgres('sluice run and worker on PostgreSQL', (postgres) => {
  it('seeds and works a run with --db postgres://, then two workers drain another run', async () => {
    const db = `${postgres().url}${postgres().url.includes('?') ? '&' : '?'}schema=${postgres().schema}`;
    const log = join(tmpdir(), `sluice-pg-run-${process.pid}.log`);
    const { code, stdout, stderr } = await sluice(
      ['run', pipelineFile, '--db', db, '--run-id', 'pg-run', '--concurrency', '4'],
      { RUN_LOG: log, ITEMS: '30' },
    );
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    expect(stdout).toContain('run pg-run: completed');
    const { rows } = await postgres().pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM items WHERE run_id = 'pg-run' AND stage = 'note' AND state = 'completed'`,
    );
    expect(Number(rows[0]!.n)).toBe(30);
    // A second run seeded by one process, worked by two workers at once: each item once.
    const gate = join(tmpdir(), `sluice-pg-gate-${process.pid}`);
    const seeding = start(['run', pipelineFile, '--db', db, '--run-id', 'pg-fleet'], {
      GATE_FILE: gate,
      RUN_LOG: `${log}.fleet`,
      ITEMS: '40',
    });
    const workers = [0, 1].map(() =>
      start(['worker', pipelineFile, '--db', db, '--run-id', 'pg-fleet', '--drain'], {
        GATE_FILE: gate,
        RUN_LOG: `${log}.fleet`,
        ITEMS: '40',
      }),
    );
    writeFileSync(gate, '');
    expect(await seeding.exited).toBe(0);
    for (const w of workers) expect(await w.exited).toBe(0);
    const notes = readFileSync(`${log}.fleet`, 'utf8').trim().split('\n');
    expect(notes).toHaveLength(40);
    expect(new Set(notes).size).toBe(40);
    for (const f of [log, `${log}.fleet`, gate]) rmSync(f, { force: true });
  }, 120_000);
});
