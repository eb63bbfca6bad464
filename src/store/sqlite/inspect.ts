import type Database from 'better-sqlite3';
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
import { jsonList } from './sql.js';

/**
 * Read-only views of items for progress, the API and the CLI: counts per stage and state (from
 * the item_counts table, see counters.ts), one item, pages of items (keyset-paginated on the (run, stage, id) key, so deep pages stay cheap)
 * and an item's retry history.
 */
export function prepareInspect(
  db: Database.Database,
  counters: ReturnType<typeof prepareCounters>,
) {
  const getItem = db.prepare<[string, string, string], ItemRowFull>(
    'SELECT * FROM items WHERE run_id = ? AND stage = ? AND id = ?',
  );
  const history = db.prepare<[string, string, string], RetryRow>(
    `SELECT * FROM retry_history WHERE run_id = ? AND stage = ? AND item_id = ?
     ORDER BY at, seq`,
  );

  // One prepared statement per combination of filters present, built on first use.
  const listStatements = new Map<
    string,
    Database.Statement<Record<string, unknown>, ItemRowFull>
  >();
  const listStatement = (present: readonly string[]) => {
    const key = present.join(',');
    let statement = listStatements.get(key);
    if (statement === undefined) {
      const where = ['run_id = @runId'];
      if (present.includes('stage')) where.push('stage = @stage');
      if (present.includes('states')) where.push('state IN (SELECT value FROM json_each(@states))');
      if (present.includes('ids')) where.push('id IN (SELECT value FROM json_each(@ids))');
      if (present.includes('parentId')) where.push('parent_id = @parentId');
      if (present.includes('degraded')) where.push('degraded = @degraded');
      if (present.includes('after')) where.push('(stage, id) > (@afterStage, @afterId)');
      statement = db.prepare(
        `SELECT * FROM items WHERE ${where.join(' AND ')} ORDER BY stage, id LIMIT @limit`,
      );
      listStatements.set(key, statement);
    }
    return statement;
  };

  return {
    counts(runId: string): Record<string, StageCounts> {
      return counters.counts(requireId(runId, 'runId'));
    },

    getItem(ref: ItemRef): ItemRecord | undefined {
      const r = normalizeItemRef(ref, 'ref');
      const row = getItem.get(r.runId, r.stage, r.id);
      return row === undefined ? undefined : toItemRecord(row);
    },

    listItems(filter: unknown, page: unknown): Page<ItemRecord> {
      const f = normalizeItemFilter(filter);
      const p = normalizePage(page, isStringPair);
      const present: string[] = [];
      if (f.stage !== null) present.push('stage');
      if (f.states !== null) present.push('states');
      if (f.ids !== null) present.push('ids');
      if (f.parentId !== null) present.push('parentId');
      if (f.degraded !== null) present.push('degraded');
      if (p.after !== null) present.push('after');
      const params: Record<string, unknown> = { runId: f.runId, limit: p.limit + 1 };
      if (f.stage !== null) params.stage = f.stage;
      if (f.states !== null) params.states = jsonList(f.states);
      if (f.ids !== null) params.ids = jsonList(f.ids);
      if (f.parentId !== null) params.parentId = f.parentId;
      if (f.degraded !== null) params.degraded = f.degraded ? 1 : 0;
      if (p.after !== null) [params.afterStage, params.afterId] = p.after;
      const rows = listStatement(present).all(params);
      const more = rows.length > p.limit;
      const items = (more ? rows.slice(0, p.limit) : rows).map(toItemRecord);
      const last = items[items.length - 1];
      return { items, next: more && last ? encodeCursor([last.stage, last.id]) : undefined };
    },

    retryHistory(ref: ItemRef): RetryRecord[] {
      const r = normalizeItemRef(ref, 'ref');
      return history.all(r.runId, r.stage, r.id).map(toRetryRecord);
    },
  };
}
