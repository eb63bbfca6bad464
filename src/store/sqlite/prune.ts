import type Database from 'better-sqlite3';
import { normalizePrune } from '../input/prune.js';
import type { PruneResult } from '../records.js';

/**
 * Retention: finished runs older than the cutoff go, with everything under them by the foreign
 * keys' ON DELETE CASCADE (items, item_counts, retry_history, dead_letters, checkpoints), in one
 * IMMEDIATE transaction. SQLite puts the freed pages on its free list and reuses them, so the
 * file stops growing under a steady load.
 */
export function preparePrune(db: Database.Database) {
  const finished = `SELECT id FROM runs WHERE status IN ('completed', 'cancelled')
    AND updated_at < @cutoff`;
  const countItems = db
    .prepare<{ cutoff: number }, number>(`SELECT count(*) FROM items WHERE run_id IN (${finished})`)
    .pluck();
  const deleteRuns = db.prepare<{ cutoff: number }>(
    `DELETE FROM runs WHERE status IN ('completed', 'cancelled') AND updated_at < @cutoff`,
  );
  const deleteWorkers = db.prepare<{ cutoff: number }>(
    'DELETE FROM workers WHERE last_heartbeat_at < @cutoff',
  );
  const pruneTx = db.transaction((cutoff: number): PruneResult => {
    const items = countItems.get({ cutoff }) ?? 0;
    const runs = deleteRuns.run({ cutoff }).changes;
    const workers = deleteWorkers.run({ cutoff }).changes;
    return { runs, items, workers };
  });
  return {
    prune(options: unknown, now: unknown): PruneResult {
      return pruneTx.immediate(normalizePrune(options, now));
    },
  };
}
