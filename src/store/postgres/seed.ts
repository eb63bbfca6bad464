import { normalizeNewItems } from '../input/items.js';
import type { SeedResult } from '../records.js';
import { requireId, requireTime } from '../validate.js';
import { prepareInsertItems } from './insert-items.js';
import { notifySql } from './notify.js';
import { inTransaction, runChecker, type PgContext } from './sql.js';

/**
 * Seeding: every item is checked (ID, JSON input, priority...) before the transaction starts,
 * then all are inserted in one transaction; an ID already present is left untouched.
 */
export function prepareSeed(ctx: PgContext) {
  const requireRun = runChecker(ctx);
  const insert = prepareInsertItems(ctx);
  const notify = `SELECT ${notifySql('$1::text', '$2::text', '$3::text')}`;

  return {
    async seedItems(
      runId: unknown,
      stage: unknown,
      items: unknown,
      now: unknown,
    ): Promise<SeedResult> {
      const id = requireId(runId, 'runId');
      const s = requireId(stage, 'stage');
      const rows = normalizeNewItems(items, 'items', true);
      const at = requireTime(now, 'now');
      if (rows.length === 0) {
        await requireRun(ctx.pool, id);
        return { inserted: 0, existing: 0 };
      }
      return inTransaction(ctx.pool, async (client) => {
        await requireRun(client, id);
        const inserted = await insert(client, rows, { runId: id, stage: s, now: at });
        if (inserted > 0 && ctx.channel !== null) {
          await client.query(notify, [ctx.channel, id, s]);
        }
        return { inserted, existing: rows.length - inserted };
      });
    },
  };
}
