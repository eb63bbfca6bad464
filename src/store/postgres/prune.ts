import { normalizePrune } from '../input/prune.js';
import type { PruneResult } from '../records.js';
import { inTransaction, type PgContext } from './sql.js';

/**
 * Retention: finished runs older than the cutoff go, with everything under them by the foreign
 * keys' ON DELETE CASCADE (items, item_counts, retry_history, dead_letters, checkpoints), in one
 * transaction. Autovacuum then makes the space reusable.
 */
export function preparePrune(ctx: PgContext) {
  const { q } = ctx;
  const finished = `SELECT id FROM ${q}.runs WHERE status IN ('completed', 'cancelled')
    AND updated_at < $1`;
  return {
    prune(options: unknown, now: unknown): Promise<PruneResult> {
      const cutoff = normalizePrune(options, now);
      return inTransaction(ctx.pool, async (client) => {
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*) AS n FROM ${q}.items WHERE run_id IN (${finished})`,
          [cutoff],
        );
        const runs = await client.query(
          `DELETE FROM ${q}.runs WHERE status IN ('completed', 'cancelled') AND updated_at < $1`,
          [cutoff],
        );
        const workers = await client.query(
          `DELETE FROM ${q}.workers WHERE last_heartbeat_at < $1`,
          [cutoff],
        );
        return { runs: runs.rowCount ?? 0, items: rows[0]!.n, workers: workers.rowCount ?? 0 };
      });
    },
  };
}
