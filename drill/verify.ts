import Database from 'better-sqlite3';
import { createSqliteStore } from '../src/store/index.js';
import { readLedger } from './ledger.js';

export interface Verdict {
  readonly items: number;
  readonly completed: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly executions: number;
  readonly integrity: string;
}

/**
 * What the store and the ledger say after a drill run on SQLite: every expected item completed
 * (or lost), completions applied twice (from the ledger), handler executions, and SQLite's own
 * `PRAGMA integrity_check`.
 */
export async function verifySqlite(
  db: string,
  ledger: string,
  runId: string,
  expected: number,
): Promise<Verdict> {
  const integrity = new Database(db, { readonly: true });
  const check = (integrity.pragma('integrity_check') as { integrity_check: string }[])
    .map((row) => row.integrity_check)
    .join('; ');
  integrity.close();
  const store = await createSqliteStore({ path: db });
  try {
    const counts = await store.counts(runId);
    const completed = Object.values(counts).reduce((sum, stage) => sum + stage.completed, 0);
    const { executions, duplicates } = readLedger(ledger);
    return {
      items: expected,
      completed,
      lost: Math.max(0, expected - completed),
      duplicates,
      executions,
      integrity: check,
    };
  } finally {
    await store.close();
  }
}
