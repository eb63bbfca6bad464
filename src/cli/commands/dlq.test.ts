import { CommanderError } from 'commander';
import { beforeAll, expect, it } from 'vitest';
import { isInvalidConfigError, isSluiceError } from '../../errors/index.js';
import { createSqliteStore, type DeadLetterRecord, type Store } from '../../store/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import { cliOutput, parseTable, runCli } from '../../../test/support/cli-harness.js';
import { buildOperatedRun, operatedRunId } from '../../../test/support/operated-run.js';
import { formatTime, oneLine } from '../format.js';

async function withStore<T>(path: string, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await createSqliteStore({ path });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

const deadLetters = (path: string, filter: { stage?: string } = {}) =>
  withStore(path, async (s) => (await s.deadLetters({ runId: operatedRunId, ...filter })).items);

/** What a write must not change when it is refused: counts and open dead letters. */
const snapshot = (path: string) =>
  withStore(path, async (s) => ({
    counts: await s.counts(operatedRunId),
    dead: (await s.deadLetters({ runId: operatedRunId })).items,
    run: await s.getRun(operatedRunId),
  }));

describeSqlite('sluice dlq', (sqlite) => {
  let db: string;
  let letters: readonly DeadLetterRecord[];
  let fresh = 0;
  /** A database of its own for each test that writes. */
  const freshDb = async () => {
    const path = `${sqlite().dir}/dlq-${++fresh}.db`;
    await buildOperatedRun(path);
    return path;
  };

  beforeAll(async () => {
    db = sqlite().path;
    await buildOperatedRun(db);
    letters = await deadLetters(db);
  });

  it('lists the dead letters of the run as the store has them', async () => {
    expect(new Set(letters.map((d) => d.stage))).toEqual(new Set(['parse', 'store']));
    const rows = parseTable(await cliOutput(['dlq', 'list', operatedRunId, '--db', db]));
    expect(rows).toEqual(
      letters.map((d) => ({
        stage: d.stage,
        item: d.id,
        category: d.category,
        attempts: String(d.attempt),
        died: formatTime(d.at),
        'last error': oneLine(d.error),
      })),
    );
  });

  it('filters by stage and category, and prints JSON with --json', async () => {
    const json = async (...args: string[]) =>
      JSON.parse(await cliOutput(['dlq', 'list', '--db', db, '--json', ...args])) as unknown;
    expect(await json('--stage', 'store')).toEqual({
      runId: operatedRunId,
      deadLetters: letters.filter((d) => d.stage === 'store'),
      more: false,
    });
    expect(await json('--category', 'non_recoverable', '--limit', '2')).toEqual({
      runId: operatedRunId,
      deadLetters: letters.slice(0, 2),
      more: true,
    });
    expect(await cliOutput(['dlq', 'list', '--db', db, '--category', 'rate_limited'])).toBe(
      `run ${operatedRunId} has no dead letters that match\n`,
    );
  });

  it('retry sends the matching dead letters back to pending and says how many', async () => {
    const path = await freshDb();
    const before = await snapshot(path);
    const storeStage = before.dead.filter((d) => d.stage === 'store');
    const out = await cliOutput(['dlq', 'retry', operatedRunId, '--db', path, '--stage', 'store']);
    expect(out).toMatch(
      new RegExp(
        `^sent ${storeStage.length} dead letters of run ${operatedRunId} back to pending;`,
      ),
    );
    const after = await snapshot(path);
    expect(after.counts.store!.dead).toBe(before.counts.store!.dead - storeStage.length);
    expect(after.counts.store!.pending).toBe(before.counts.store!.pending + storeStage.length);
    expect(after.counts.parse).toEqual(before.counts.parse);
    expect(after.dead).toEqual(before.dead.filter((d) => d.stage !== 'store'));
  });

  it('retry --id sends back only the items named', async () => {
    const path = await freshDb();
    const before = await snapshot(path);
    const [first, second] = before.dead;
    const out = await cliOutput(['dlq', 'retry', '--db', path, '--id', first!.id, second!.id]);
    expect(out).toMatch(/^sent 2 dead letters of run/);
    const after = await snapshot(path);
    expect(after.dead).toEqual(before.dead.slice(2));
  });

  it('a bad or unknown filter is refused and changes nothing', async () => {
    const path = await freshDb();
    const before = await snapshot(path);

    const bogusCategory = await runCli(['dlq', 'retry', '--db', path, '--category', 'bogus']);
    expect(bogusCategory.error).toBeInstanceOf(CommanderError);
    expect(bogusCategory.stderr).toContain(
      "option '--category <category>' argument 'bogus' is invalid. Allowed choices are recoverable, rate_limited, non_recoverable, degraded.",
    );

    const unknownStage = await runCli(['dlq', 'retry', '--db', path, '--stage', 'nope']);
    expect(isInvalidConfigError(unknownStage.error)).toBe(true);
    expect((unknownStage.error as Error).message).toBe(
      `--stage must be one of the stages of run "${operatedRunId}": "parse", "store", got "nope"`,
    );

    const emptyId = await runCli(['dlq', 'retry', '--db', path, '--id', '']);
    expect(emptyId.error).toBeInstanceOf(CommanderError);
    expect(emptyId.stderr).toContain('--id must be an item ID');

    const unknownRun = await runCli(['dlq', 'retry', 'nope', '--db', path]);
    expect(isSluiceError(unknownRun.error) && unknownRun.error.code).toBe('SLUICE_UNKNOWN_RUN');

    // A filter that is valid but matches nothing is no error: it says 0 and changes nothing.
    expect(await cliOutput(['dlq', 'retry', '--db', path, '--category', 'rate_limited'])).toBe(
      `sent 0 dead letters of run ${operatedRunId} back to pending\n`,
    );
    expect(await snapshot(path)).toEqual(before);
  });

  it('refuses to retry the dead letters of a cancelled run', async () => {
    const path = await freshDb();
    await withStore(path, (s) => s.setRunStatus(operatedRunId, 'cancelled', Date.now()));
    const before = await snapshot(path);
    const { error } = await runCli(['dlq', 'retry', '--db', path]);
    expect(isSluiceError(error) && error.code).toBe('SLUICE_RUN_FINISHED');
    expect(await snapshot(path)).toEqual(before);
  });
});
