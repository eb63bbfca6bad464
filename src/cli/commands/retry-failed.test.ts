import { expect, it } from 'vitest';
import { isInvalidConfigError } from '../../errors/index.js';
import { createSqliteStore } from '../../store/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import { cliOutput, runCli } from '../../../test/support/cli-harness.js';
import { buildOperatedRun, operatedRunId } from '../../../test/support/operated-run.js';

const countsOf = async (path: string) => {
  const store = await createSqliteStore({ path });
  try {
    return await store.counts(operatedRunId);
  } finally {
    await store.close();
  }
};

describeSqlite('sluice retry-failed', (sqlite) => {
  it('resets the failed items of one stage, then of the whole run, and says how many', async () => {
    const path = sqlite().path;
    await buildOperatedRun(path);
    const before = await countsOf(path);
    expect(before.parse!.dead).toBeGreaterThan(0);

    const one = await cliOutput(['retry-failed', operatedRunId, '--db', path, '--stage', 'parse']);
    expect(one).toMatch(
      new RegExp(`^reset ${before.parse!.dead} failed items of run ${operatedRunId} to pending;`),
    );
    const middle = await countsOf(path);
    expect(middle.parse).toMatchObject({ dead: 0, pending: before.parse!.dead });
    expect(middle.store).toEqual(before.store);

    const rest = await cliOutput(['retry-failed', '--db', path]);
    expect(rest).toMatch(new RegExp(`^reset ${before.store!.dead} failed items`));
    const after = await countsOf(path);
    expect(after.store).toMatchObject({ dead: 0, pending: before.store!.dead });

    expect(await cliOutput(['retry-failed', '--db', path])).toBe(
      `reset 0 failed items of run ${operatedRunId} to pending\n`,
    );
  });

  it('refuses a stage the run does not have, changing nothing', async () => {
    const path = `${sqlite().dir}/typo.db`;
    await buildOperatedRun(path);
    const before = await countsOf(path);
    const { error } = await runCli(['retry-failed', '--db', path, '--stage', 'prase']);
    expect(isInvalidConfigError(error) && error.field).toBe('--stage');
    expect(await countsOf(path)).toEqual(before);
  });
});
