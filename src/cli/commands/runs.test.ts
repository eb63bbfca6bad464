import { CommanderError } from 'commander';
import { beforeAll, expect, it } from 'vitest';
import { createSqliteStore, type RunRecord, type Store } from '../../store/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import { cliOutput, parseTable, runCli } from '../../../test/support/cli-harness.js';
import { buildOperatedRun, operatedRunId } from '../../../test/support/operated-run.js';
import { formatCount, formatTime } from '../format.js';

async function itemTotal(store: Store, runId: string): Promise<number> {
  return Object.values(await store.counts(runId)).reduce((sum, c) => sum + c.total, 0);
}

describeSqlite('sluice runs', (sqlite) => {
  let db: string;
  let runs: readonly RunRecord[];
  const totals = new Map<string, number>();

  beforeAll(async () => {
    db = sqlite().path;
    await buildOperatedRun(db);
    const store = await createSqliteStore({ path: db });
    // A second, newer run of another pipeline that never got going.
    await store.createRun(
      { id: 'other-run', pipeline: 'other', pipelineVersion: '1' },
      Date.now() + 1000,
    );
    await store.seedItems('other-run', 'only', [{ id: 'a', input: 1 }], Date.now() + 1000);
    runs = (await store.listRuns()).items;
    for (const run of runs) totals.set(run.id, await itemTotal(store, run.id));
    await store.close();
  });

  it('lists every run newest first with its item count, as the store has them', async () => {
    expect(runs.map((r) => r.id)).toEqual(['other-run', operatedRunId]);
    const rows = parseTable(await cliOutput(['runs', '--db', db]));
    expect(rows).toEqual(
      runs.map((r) => ({
        run: r.id,
        pipeline: r.pipeline,
        version: r.pipelineVersion,
        status: r.status,
        created: formatTime(r.createdAt),
        updated: formatTime(r.updatedAt),
        items: formatCount(totals.get(r.id)!),
      })),
    );
  });

  it('prints one JSON document with --json', async () => {
    const doc = JSON.parse(await cliOutput(['runs', '--db', db, '--json'])) as unknown;
    expect(doc).toEqual({
      runs: runs.map((r) => ({
        id: r.id,
        pipeline: r.pipeline,
        pipelineVersion: r.pipelineVersion,
        status: r.status,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        items: totals.get(r.id),
      })),
      more: false,
    });
  });

  it('filters by pipeline and status, and says when --limit cut the list', async () => {
    const json = async (...args: string[]) =>
      JSON.parse(await cliOutput(['runs', '--db', db, '--json', ...args])) as {
        runs: { id: string }[];
        more: boolean;
      };
    expect((await json('--pipeline', 'ops')).runs.map((r) => r.id)).toEqual([operatedRunId]);
    expect((await json('--status', 'running')).runs.map((r) => r.id)).toEqual(['other-run']);
    expect((await json('--status', 'cancelled')).runs).toEqual([]);
    expect(await json('--limit', '1')).toEqual({
      runs: [expect.objectContaining({ id: 'other-run' })],
      more: true,
    });
    const table = await cliOutput(['runs', '--db', db, '--limit', '1']);
    expect(parseTable(table).map((r) => r.run)).toEqual(['other-run']);
    expect(table).toContain('(the first 1; --limit shows more)');
  });

  it.each([
    [
      ['--limit', '-1'],
      "option '--limit <n>' argument '-1' is invalid. --limit must be a whole number >= 1",
    ],
    [['--limit', '0'], '--limit must be a whole number >= 1, got 0'],
    [['--limit', '2.5'], '--limit must be a whole number >= 1, got 2.5'],
    [
      ['--status', 'bogus'],
      "option '--status <status>' argument 'bogus' is invalid. Allowed choices are running, completed, failed, cancelled.",
    ],
  ])('refuses %j with a usage error naming the flag and what it takes', async (args, message) => {
    const { error, stderr, stdout } = await runCli(['runs', '--db', db, ...args]);
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).code).toBe('commander.invalidArgument');
    expect((error as CommanderError).exitCode).toBe(1);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
  });
});
