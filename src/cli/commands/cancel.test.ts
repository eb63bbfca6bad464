import type { CommanderError } from 'commander';
import { expect, it } from 'vitest';
import { isSluiceError } from '../../errors/index.js';
import { createSqliteStore } from '../../store/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import { cliOutput, runCli } from '../../../test/support/cli-harness.js';
import { buildOperatedRun, operatedRunId } from '../../../test/support/operated-run.js';

describeSqlite('sluice cancel', (sqlite) => {
  it('skips the pending and waiting items of a run, says how many, and notes those in flight', async () => {
    const path = sqlite().path;
    const store = await createSqliteStore({ path });
    const now = Date.now();
    await store.createRun({ id: 'busy', pipeline: 'p', pipelineVersion: '1' }, now);
    await store.seedItems(
      'busy',
      'fetch',
      ['a', 'b', 'c', 'd'].map((id) => ({ id, input: id })),
      now,
    );
    // One item held by a live worker: cancel leaves it to that worker.
    await store.claim({
      runId: 'busy',
      stage: 'fetch',
      owner: 'w',
      limit: 1,
      leaseMs: 60_000,
      now,
    });
    const pending = (await store.counts('busy')).fetch!.pending;
    await store.close();

    const out = await cliOutput(['cancel', 'busy', '--db', path]);
    expect(out.split('\n')[0]).toBe(`cancelled run busy: ${pending} items skipped`);
    expect(out).toContain('1 leased item is still being worked on');

    const after = await createSqliteStore({ path });
    expect((await after.getRun('busy'))!.status).toBe('cancelled');
    expect((await after.counts('busy')).fetch).toMatchObject({
      pending: 0,
      skipped: pending,
      leased: 1,
    });
    await after.close();
  });

  it('refuses a completed run, leaving it completed', async () => {
    const path = `${sqlite().dir}/done.db`;
    await buildOperatedRun(path);
    const { error } = await runCli(['cancel', operatedRunId, '--db', path]);
    expect(isSluiceError(error) && error.code).toBe('SLUICE_RUN_FINISHED');
    const store = await createSqliteStore({ path });
    expect((await store.getRun(operatedRunId))!.status).toBe('completed');
    await store.close();
  });

  it('needs the run ID', async () => {
    const { error, stderr } = await runCli(['cancel', '--db', sqlite().path]);
    expect((error as CommanderError).code).toBe('commander.missingArgument');
    expect(stderr).toContain("missing required argument 'RUN_ID'");
  });
});
