import { beforeAll, expect, it } from 'vitest';
import { isSluiceError } from '../../errors/index.js';
import { renderRunSummary, type RunSummary } from '../../observe/index.js';
import { createSqliteStore } from '../../store/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import { cliOutput, parseTable, runCli } from '../../../test/support/cli-harness.js';
import { buildOperatedRun, operatedRunId } from '../../../test/support/operated-run.js';

describeSqlite('sluice summary', (sqlite) => {
  let db: string;
  let stored: RunSummary;

  beforeAll(async () => {
    db = sqlite().path;
    await buildOperatedRun(db);
    const store = await createSqliteStore({ path: db });
    stored = (await store.getRun(operatedRunId))!.summary as RunSummary;
    // A run that never got to a checkpoint, and one whose summary is not a RunSummary.
    await store.createRun({ id: 'fresh', pipeline: 'ops', pipelineVersion: '3' }, Date.now());
    await store.createRun({ id: 'odd', pipeline: 'ops', pipelineVersion: '3' }, Date.now());
    await store.saveSummary('odd', { written: 'by someone else' }, Date.now());
    await store.close();
  });

  it('prints the stored summary as renderRunSummary lays it out', async () => {
    const text = await cliOutput(['summary', operatedRunId, '--db', db]);
    expect(text).toBe(renderRunSummary(stored));
    // ...with the figures the fixture's run produced: failures per stage, retries, a service.
    const stages = parseTable(text);
    expect(stages.map((s) => s.stage)).toEqual(Object.keys(stored.stages));
    expect(stages.find((s) => s.stage === 'parse')).toMatchObject({
      processed: String(stored.stages.parse!.processed),
      failed: String(stored.stages.parse!.failed),
      retried: String(stored.stages.parse!.retried),
    });
    expect(stored.stages.parse!.failed).toBeGreaterThan(0);
    expect(stored.stages.parse!.retried).toBeGreaterThan(0);
    expect(text).toMatch(/^api +\d+ +\d+ +\d+ +\d+ +[\d.]+% /m);
    expect(text).toMatch(new RegExp(`^tokens +${stored.usage.tokens}$`, 'm'));
  });

  it('prints the stored summary itself with --json', async () => {
    const doc = JSON.parse(
      await cliOutput(['summary', operatedRunId, '--db', db, '--json']),
    ) as unknown;
    expect(doc).toEqual(stored);
  });

  it('says clearly that a run has no stored summary yet', async () => {
    const { error, stdout } = await runCli(['summary', 'fresh', '--db', db]);
    expect(isSluiceError(error) && error.code).toBe('SLUICE_NO_SUMMARY');
    expect((error as Error).message).toMatch(/^run "fresh" has no stored summary yet/);
    expect(stdout).toBe('');
  });

  it('refuses to render a summary it does not recognise, but --json shows it as stored', async () => {
    const { error } = await runCli(['summary', 'odd', '--db', db]);
    expect(isSluiceError(error) && error.code).toBe('SLUICE_UNREADABLE_SUMMARY');
    const doc = JSON.parse(await cliOutput(['summary', 'odd', '--db', db, '--json'])) as unknown;
    expect(doc).toEqual({ written: 'by someone else' });
  });
});
