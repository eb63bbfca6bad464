import { pino } from 'pino';
import { expect, it } from 'vitest';
import { isSluiceError } from '../src/errors/index.js';
import { definePipeline, Runner, stage } from '../src/runtime/index.js';
import { createSqliteStore } from '../src/store/index.js';
import { createPostgresStore } from '../src/store/postgres/index.js';
import { createTempSqlite } from '../src/testing/index.js';
import { describePostgres } from '../src/testing/vitest/index.js';
import { runCli } from './support/cli-harness.js';

/**
 * Moving up and retention through the CLI: a run half done on SQLite is copied with `sluice
 * copy` and finished on PostgreSQL, each item's handler run and committed once across both;
 * `sluice prune --older-than` on either backend; bad values name their flag.
 */
const silent = pino({ level: 'silent' });

function pipeline(executed: string[], stopAfter?: { n: number; stop: () => void }) {
  return definePipeline({
    name: 'moving',
    version: '1',
    stages: [
      stage({
        name: 'split',
        handler: (input: { n: number }, ctx) => {
          executed.push(`split:${ctx.itemId}`);
          ctx.emit([{ id: `${ctx.itemId}-part`, input: { n: input.n } }]);
          if (stopAfter && executed.length === stopAfter.n) stopAfter.stop();
          return input.n;
        },
      }),
      stage({
        name: 'store',
        handler: (input: { n: number }, ctx) => {
          executed.push(`store:${ctx.itemId}`);
          return input.n * 10;
        },
      }),
    ],
  });
}

describePostgres('moving up to postgres', (postgres) => {
  it('finishes on PostgreSQL a run half done on SQLite, each item once', async () => {
    const temp = createTempSqlite();
    const total = 60;
    const seed = Array.from({ length: total }, (_, n) => ({ id: `a${n}`, input: { n } }));
    const executed: string[] = [];
    const committed: string[] = [];
    const onCommitted = (
      outcomes: readonly { kind: string; lease: { stage: string; id: string } }[],
    ) => {
      for (const o of outcomes)
        if (o.kind === 'complete') committed.push(`${o.lease.stage}:${o.lease.id}`);
    };
    try {
      const sqlite = await createSqliteStore({ path: temp.path });
      const runner: Runner = new Runner({
        store: sqlite,
        pipeline: pipeline(executed, {
          n: 40,
          stop: () => void runner.stop({ deadlineMs: 5_000 }),
        }),
        logger: silent,
        tracing: false,
        onCommitted,
      });
      const first = await runner.run({ runId: 'moving-run', seed });
      expect(first.status).toBe('stopped');
      await sqlite.close();
      const doneOnSqlite = committed.length;
      expect(doneOnSqlite).toBeGreaterThan(0);
      expect(doneOnSqlite).toBeLessThan(2 * total);

      const to = `${postgres().url}${postgres().url.includes('?') ? '&' : '?'}schema=${postgres().schema}`;
      const copy = await runCli(['copy', '--from', temp.path, '--to', to]);
      expect(copy.error).toBeUndefined();
      expect(copy.stdout).toMatch(/copied .*: 1 runs, \d+ items/);
      // Copying again would duplicate history: refused, naming the run.
      const again = await runCli(['copy', '--from', temp.path, '--to', to]);
      expect(String(again.error)).toMatch(/already there: moving-run/);

      const pgStore = await createPostgresStore({ url: postgres().url, schema: postgres().schema });
      try {
        const second = await new Runner({
          store: pgStore,
          pipeline: pipeline(executed),
          logger: silent,
          tracing: false,
          onCommitted,
        }).run({ runId: 'moving-run', seed });
        expect(second.status).toBe('completed');
        expect(second.counts).toMatchObject({
          split: { completed: total, total },
          store: { completed: total, total },
        });
        expect(committed.length).toBe(2 * total);
        expect(new Set(committed).size).toBe(2 * total);
        // Handlers ran at most once more than they committed: those in flight at the stop.
        expect(executed.length).toBeLessThanOrEqual(2 * total + 1);
        const item = await pgStore.getItem({ runId: 'moving-run', stage: 'store', id: 'a3-part' });
        expect(item).toMatchObject({
          state: 'completed',
          output: 30,
          parentId: 'a3',
          parentStage: 'split',
        });

        // Retention on PostgreSQL through the CLI: the finished run is older than 1 ms by now+1 h.
        const pruned = await runCli(
          ['prune', '--older-than', '30m', '--db', to],
          () => Date.now() + 3_600_000,
        );
        expect(pruned.error).toBeUndefined();
        expect(pruned.stdout).toMatch(/^pruned 1 run \(120 items\)/);
        expect(await pgStore.getRun('moving-run')).toBeUndefined();
      } finally {
        await pgStore.close();
      }
    } finally {
      temp.cleanup();
    }
  });

  it('prunes a SQLite file too, and names the flag of a bad value', async () => {
    const temp = createTempSqlite();
    try {
      const store = await createSqliteStore({ path: temp.path });
      await store.createRun({ id: 'old', pipeline: 'p', pipelineVersion: '1' }, 1_000);
      await store.seedItems('old', 's', [{ id: 'x', input: 1 }], 1_000);
      await store.setRunStatus('old', 'completed', 1_000);
      await store.close();
      const bad = await runCli(['prune', '--older-than', '30 days', '--db', temp.path]);
      expect(String((bad.error as Error).message)).toMatch(
        /--older-than must be a whole number with a unit/,
      );
      const missing = await runCli(['prune', '--db', temp.path]);
      expect(String((missing.error as Error).message)).toMatch(/--older-than/);
      const kept = await runCli(['prune', '--older-than', '30d', '--db', temp.path], () => 2_000);
      expect(kept.stdout).toMatch(/^pruned 0 runs/);
      const gone = await runCli(['prune', '--older-than', '1s', '--db', temp.path], () => 5_000);
      expect(gone.stdout).toMatch(/^pruned 1 run \(1 item\)/);
      const badTo = await runCli(['copy', '--from', temp.path, '--to', 'mysql://u:pw@h/d']);
      expect(String((badTo.error as Error).message)).toMatch(/--to must be a postgres:\/\//);
      expect(String((badTo.error as Error).message)).not.toContain('pw');
      const noSchema = await runCli([
        'status',
        '--db',
        `${postgres().url}?schema=no_such_schema_here`,
      ]);
      expect(isSluiceError(noSchema.error) && noSchema.error.code).toBe('SLUICE_NO_DATABASE');
    } finally {
      temp.cleanup();
    }
  });
});
