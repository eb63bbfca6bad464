import { beforeAll, expect, it } from 'vitest';
import { isSluiceError } from '../../errors/index.js';
import { getRunStatus } from '../../runtime/index.js';
import { createSqliteStore, itemStates } from '../../store/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import { cliOutput, parseTable, runCli } from '../../../test/support/cli-harness.js';
import { buildOperatedRun, operatedRunId } from '../../../test/support/operated-run.js';
import { formatCount, formatRate, formatTime } from '../format.js';

describeSqlite('sluice status', (sqlite) => {
  let db: string;
  const now = () => 1_900_000_000_000;

  beforeAll(async () => {
    db = sqlite().path;
    await buildOperatedRun(db);
  });

  it('shows counts per stage and state, throughput and last checkpoint as getRunStatus has them', async () => {
    const store = await createSqliteStore({ path: db });
    const report = await getRunStatus(store, operatedRunId, now());
    await store.close();

    const text = await cliOutput(['status', operatedRunId, '--db', db], now);
    const [title, times, progress] = text.split('\n');
    expect(title).toBe(`Run ${operatedRunId} (ops v3): ${report.run.status}`);
    expect(times).toContain(`last checkpoint ${formatTime(report.lastCheckpointAt)}`);
    expect(progress).toBe(
      `${report.finished} finished, ${report.open} open, ${report.dead} dead; throughput ${formatRate(report.throughputPerSecond)}, ETA -`,
    );
    expect(parseTable(text)).toEqual(
      Object.entries(report.counts).map(([stage, c]) => ({
        stage,
        ...Object.fromEntries(itemStates.map((s) => [s, formatCount(c[s])])),
        total: formatCount(c.total),
        degraded: formatCount(c.degraded),
      })),
    );
    // The fixture's run has dead letters in both stages: the table is not all zeros.
    expect(report.dead).toBeGreaterThan(0);
  });

  it('prints the report as one JSON document with --json, without the stored summary', async () => {
    const store = await createSqliteStore({ path: db });
    const { run, ...report } = await getRunStatus(store, operatedRunId, now());
    await store.close();
    const { summary: _summary, ...runWithoutSummary } = run;
    const doc = JSON.parse(
      await cliOutput(['status', operatedRunId, '--db', db, '--json'], now),
    ) as unknown;
    expect(doc).toEqual({
      ...report,
      run: runWithoutSummary,
      etaSeconds: null, // a completed run has no ETA; JSON says null rather than leaving it out
    });
  });

  it('shows the most recent run when no RUN_ID is given', async () => {
    const path = `${sqlite().dir}/two-runs.db`;
    await buildOperatedRun(path);
    const store = await createSqliteStore({ path });
    await store.createRun(
      { id: 'later', pipeline: 'ops', pipelineVersion: '4' },
      Date.now() + 1000,
    );
    await store.seedItems(
      'later',
      'parse',
      [
        { id: 'x', input: 1 },
        { id: 'y', input: 2 },
      ],
      Date.now() + 1000,
    );
    await store.close();

    const text = await cliOutput(['status', '--db', path]);
    expect(text.split('\n')[0]).toBe('Run later (ops v4): running');
    expect(parseTable(text)).toEqual([
      expect.objectContaining({ stage: 'parse', pending: '2', total: '2' }),
    ]);
  });

  it('names an unknown run ID and points at `sluice runs`', async () => {
    const { error, stdout } = await runCli(['status', 'no-such-run', '--db', db]);
    expect(isSluiceError(error) && error.code).toBe('SLUICE_UNKNOWN_RUN');
    expect((error as Error).message).toBe(
      `no run "no-such-run" in ${db}; \`sluice runs --db ${db}\` lists the runs`,
    );
    expect(stdout).toBe('');
  });

  it('says so when the database holds no runs at all', async () => {
    const path = `${sqlite().dir}/no-runs.db`;
    await (await createSqliteStore({ path })).close();
    const { error } = await runCli(['status', '--db', path]);
    expect(isSluiceError(error) && error.code).toBe('SLUICE_NO_RUNS');
  });
});
