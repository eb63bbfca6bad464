import {
  encodeCursor,
  isStringPair,
  normalizeItemFilter,
  normalizePage,
} from '../input/filters.js';
import { normalizeItemRef } from '../input/items.js';
import type { ItemRecord, ItemRef, Page, RetryRecord, StageCounts } from '../records.js';
import { requireId } from '../validate.js';
import { toItemRecord, toRetryRecord, type ItemRowFull, type RetryRow } from './rows.js';
import type { prepareCounters } from './counters.js';
import type { PgContext } from './sql.js';

/**
 * Read-only views of items for progress, the API and the CLI: counts per stage and state (see
 * counters.ts), one item, pages of items (keyset-paginated on the (run, stage, id) key, which
 * sorts bytewise (COLLATE "C") as on SQLite) and an item's retry history.
 */
export function prepareInspect(ctx: PgContext, counters: ReturnType<typeof prepareCounters>) {
  const { pool, q } = ctx;
  const getItem = `SELECT * FROM ${q}.items WHERE run_id = $1 AND stage = $2 AND id = $3`;
  const history = `SELECT * FROM ${q}.retry_history WHERE run_id = $1 AND stage = $2
     AND item_id = $3 ORDER BY at, seq`;
  const list = `SELECT * FROM ${q}.items WHERE run_id = $1
       AND ($2::text IS NULL OR stage = $2)
       AND ($3::text[] IS NULL OR state = ANY($3))
       AND ($4::text[] IS NULL OR id = ANY($4))
       AND ($5::text IS NULL OR parent_id = $5)
       AND ($6::bool IS NULL OR degraded = $6)
       AND ($7::text IS NULL OR (stage, id) > ($7, $8::text))
     ORDER BY stage, id LIMIT $9`;

  return {
    counts(runId: string): Promise<Record<string, StageCounts>> {
      return counters.counts(requireId(runId, 'runId'));
    },

    async getItem(ref: ItemRef): Promise<ItemRecord | undefined> {
      const r = normalizeItemRef(ref, 'ref');
      const { rows } = await pool.query<ItemRowFull>(getItem, [r.runId, r.stage, r.id]);
      return rows[0] === undefined ? undefined : toItemRecord(rows[0]);
    },

    async listItems(filter: unknown, page: unknown): Promise<Page<ItemRecord>> {
      const f = normalizeItemFilter(filter);
      const p = normalizePage(page, isStringPair);
      const { rows } = await pool.query<ItemRowFull>(list, [
        f.runId,
        f.stage,
        f.states,
        f.ids,
        f.parentId,
        f.degraded,
        p.after?.[0] ?? null,
        p.after?.[1] ?? null,
        p.limit + 1,
      ]);
      const more = rows.length > p.limit;
      const items = (more ? rows.slice(0, p.limit) : rows).map(toItemRecord);
      const last = items[items.length - 1];
      return { items, next: more && last ? encodeCursor([last.stage, last.id]) : undefined };
    },

    async retryHistory(ref: ItemRef): Promise<RetryRecord[]> {
      const r = normalizeItemRef(ref, 'ref');
      const { rows } = await pool.query<RetryRow>(history, [r.runId, r.stage, r.id]);
      return rows.map(toRetryRecord);
    },
  };
}
