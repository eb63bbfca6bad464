import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { definePipeline, Runner, stage } from '../src/runtime/index.js';
import { createPostgresStore } from '../src/store/postgres/index.js';
import { describePostgres } from '../src/testing/vitest/index.js';

/**
 * A fleet on one PostgreSQL: three real worker processes on one run, each item committed
 * exactly once; a worker whose every connection is killed mid-run (pg_terminate_backend)
 * reconnects and finishes without a duplicate commit; workers show in the registry while they
 * run.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/pg-fleet-worker.ts', import.meta.url));
const silent = pino({ level: 'silent' });

interface WorkerReport {
  readonly owner: string;
  readonly status: string;
  readonly executed: string[];
  readonly committed: string[];
}

function runWorker(url: string, schema: string, runId: string): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, url, schema, runId], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as WorkerReport);
      else reject(new Error(`worker exited with ${code}: ${err}`));
    });
  });
}

describePostgres('postgres fleet', (postgres) => {
  const open = (extra: Record<string, unknown> = {}) =>
    createPostgresStore({ url: postgres().url, schema: postgres().schema, poolSize: 4, ...extra });

  it('three worker processes complete every item of one run exactly once', async () => {
    const store = await open();
    const total = 3_000;
    const runId = 'fleet-run';
    try {
      await store.createRun({ id: runId, pipeline: 'fleet', pipelineVersion: '1' }, Date.now());
      await store.seedItems(
        runId,
        'work',
        Array.from({ length: total }, (_, n) => ({ id: `i${n}`, input: { n } })),
        Date.now(),
      );
      const reports = await Promise.all(
        [1, 2, 3].map(() => runWorker(postgres().url, postgres().schema, runId)),
      );
      const committed = reports.flatMap((r) => r.committed);
      expect(committed.length).toBe(total);
      expect(new Set(committed).size).toBe(total);
      // Executions: at least once each (exactly once here: nobody died).
      expect(reports.flatMap((r) => r.executed).sort()).toEqual([...committed].sort());
      for (const report of reports) expect(report.status).toBe('completed');
      expect(new Set(reports.map((r) => r.owner)).size).toBe(3);
      expect(reports.filter((r) => r.committed.length > 0).length).toBeGreaterThanOrEqual(2);
      expect((await store.counts(runId)).work).toMatchObject({ completed: total, total });
      // Each deregistered when it finished.
      const owners = reports.map((r) => r.owner);
      expect((await store.listWorkers()).filter((w) => owners.includes(w.id))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('reconnects after every connection of the worker is killed, committing each item once', async () => {
    const app = `sluice-victim-${process.pid}`;
    const store = await open({ applicationName: app });
    const admin = new pg.Client({ connectionString: postgres().url });
    await admin.connect();
    const total = 400;
    const committed: string[] = [];
    let killed = 0;
    let registered: string[] = [];
    try {
      const pipeline = definePipeline({
        name: 'victim',
        version: '1',
        stages: [
          stage({
            name: 'work',
            concurrency: 8,
            handler: async (input: { n: number }) => {
              if (input.n === 100 && killed === 0) {
                registered = (await store.listWorkers()).map((w) => w.id);
                const { rows } = await admin.query<{ pid: number }>(
                  `SELECT pid FROM pg_stat_activity WHERE application_name = $1`,
                  [app],
                );
                await admin.query(
                  `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
                  [app],
                );
                killed = rows.length;
              }
              return input.n;
            },
          }),
        ],
      });
      const runner = new Runner({
        store,
        pipeline,
        logger: silent,
        tracing: false,
        pollMs: 20,
        commit: { maxDelayMs: 2 },
        onCommitted: (outcomes) => {
          for (const o of outcomes) if (o.kind === 'complete') committed.push(o.lease.id);
        },
      });
      const result = await runner.run({
        runId: 'victim-run',
        seed: Array.from({ length: total }, (_, n) => ({ id: `v${n}`, input: { n } })),
      });
      expect(result.status).toBe('completed');
      expect(killed).toBeGreaterThan(0);
      expect(registered).toContain(runner.owner);
      expect(new Set(committed).size).toBe(committed.length);
      expect((await store.counts('victim-run')).work).toMatchObject({
        completed: total,
        total,
      });
      expect((await store.listWorkers()).map((w) => w.id)).not.toContain(runner.owner);
    } finally {
      await admin.end();
      await store.close();
    }
  });
});
