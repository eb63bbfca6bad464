import { CommanderError } from 'commander';
import { beforeAll, expect, it } from 'vitest';
import { createSqliteStore, type ItemRecord } from '../../store/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import { cliOutput, parseTable, runCli } from '../../../test/support/cli-harness.js';
import { buildOperatedRun, operatedRunId } from '../../../test/support/operated-run.js';

describeSqlite('sluice items', (sqlite) => {
  let db: string;
  let dead: readonly ItemRecord[];
  let all: readonly ItemRecord[];

  beforeAll(async () => {
    db = sqlite().path;
    await buildOperatedRun(db);
    const store = await createSqliteStore({ path: db });
    dead = (await store.listItems({ runId: operatedRunId, states: ['dead'] })).items;
    all = (await store.listItems({ runId: operatedRunId }, { limit: 1000 })).items;
    await store.close();
  });

  it('lists the items in one state as the store has them', async () => {
    expect(dead.length).toBeGreaterThan(0);
    const rows = parseTable(await cliOutput(['items', '--db', db, '--state', 'dead']));
    expect(rows.map((r) => [r.stage, r.item, r.state, r.attempts])).toEqual(
      dead.map((i) => [i.stage, i.id, 'dead', String(i.attempts)]),
    );
    expect(rows.every((r) => r['last error']!.startsWith('non_recoverable: '))).toBe(true);
  });

  it('prints JSON with --json, by stage and limited by --limit', async () => {
    const doc = JSON.parse(
      await cliOutput([
        'items',
        operatedRunId,
        '--db',
        db,
        '--json',
        '--stage',
        'store',
        '--limit',
        '3',
      ]),
    ) as unknown;
    expect(doc).toEqual({
      runId: operatedRunId,
      items: all.filter((i) => i.stage === 'store').slice(0, 3),
      more: true,
    });
  });

  it('refuses an unknown state, listing the states', async () => {
    const { error, stderr } = await runCli(['items', '--db', db, '--state', 'bogus']);
    expect(error).toBeInstanceOf(CommanderError);
    expect(stderr).toContain(
      "option '--state <state>' argument 'bogus' is invalid. Allowed choices are pending, leased, completed, retry_wait, dead, skipped.",
    );
  });
});
