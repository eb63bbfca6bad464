import type Database from 'better-sqlite3';
import { itemEvents, type ItemEvent } from '../item-state.js';
import {
  encodeCursor,
  isSeq,
  normalizeDeadLetterFilter,
  normalizePage,
  type NormalizedDeadLetterFilter,
} from '../input/filters.js';
import type { DeadLetterRecord, Page } from '../records.js';
import { requireId, requireObject, requireTime } from '../validate.js';
import { toDeadLetterRecord, type DeadLetterRow } from './rows.js';
import { CountDeltas, type prepareCounters } from './counters.js';
import { fromStates, jsonList, runChecker, toState } from './sql.js';

/**
 * What happens to items that failed: the dead-letter list, sending dead letters back (by stage,
 * category or IDs), "resume failed only" (retry_wait and dead back to pending), and cancelling a
 * run. Items sent back start over: attempts 0, available now; their dead letters are marked
 * retried in the same transaction, so the list shows only what is still dead.
 */
interface Params {
  runId: string;
  stage: string | null;
  category: string | null;
  ids: string | null;
  now: number;
}

const itemFilter = `run_id = @runId AND (@stage IS NULL OR stage = @stage)
  AND (@category IS NULL OR last_category = @category)
  AND (@ids IS NULL OR id IN (SELECT value FROM json_each(@ids)))`;

export function prepareFailures(
  db: Database.Database,
  counters: ReturnType<typeof prepareCounters>,
) {
  const requireRun = runChecker(db);
  const list = db.prepare<Record<string, unknown>, DeadLetterRow>(
    `SELECT * FROM dead_letters WHERE run_id = @runId AND (@stage IS NULL OR stage = @stage)
       AND (@category IS NULL OR category = @category)
       AND (@ids IS NULL OR item_id IN (SELECT value FROM json_each(@ids)))
       AND (@includeRetried = 1 OR retried_at IS NULL) AND seq > @after
     ORDER BY seq LIMIT @limit`,
  );

  /**
   * Sends the items `event` applies to, matching the filter, back to pending: one UPDATE per
   * source state (so the counters know what moved), dead letters marked retried first.
   */
  const revive = (event: ItemEvent & ('retryDeadLetter' | 'resetFailed'), runField: string) => {
    const mark = db.prepare<Params>(
      `UPDATE dead_letters SET retried_at = @now
       WHERE run_id = @runId AND retried_at IS NULL AND (stage, item_id) IN (
         SELECT stage, id FROM items WHERE ${itemFilter} AND state = 'dead')`,
    );
    const update = db.prepare<Params & { from: string }, { stage: string }>(
      `UPDATE items SET state = ${toState(event)}, attempts = 0, available_at = @now,
         updated_at = @now
       WHERE ${itemFilter} AND state = @from
       RETURNING stage`,
    );
    const { from, to } = itemEvents[event];
    return db.transaction((params: Params) => {
      requireRun(params.runId, runField);
      mark.run(params);
      const deltas = new CountDeltas();
      let revived = 0;
      for (const state of from) {
        const rows = update.all({ ...params, from: state });
        for (const row of rows) deltas.move(params.runId, row.stage, state, to);
        revived += rows.length;
      }
      counters.apply(deltas);
      return revived;
    });
  };
  const retryDead = revive('retryDeadLetter', 'filter.runId');
  const resetFailed = revive('resetFailed', 'runId');

  const cancelItems = db.prepare<[number, string], { stage: string }>(
    `UPDATE items SET state = ${toState('cancel')}, skip_reason = 'cancelled', updated_at = ?
     WHERE run_id = ? AND state IN ${fromStates('cancel')}
     RETURNING stage`,
  );
  const cancelRunRow = db.prepare(
    `UPDATE runs SET status = 'cancelled', updated_at = ? WHERE id = ?`,
  );
  const cancel = db.transaction((runId: string, now: number) => {
    requireRun(runId);
    cancelRunRow.run(now, runId);
    const rows = cancelItems.all(now, runId);
    const deltas = new CountDeltas();
    // pending and retry_wait share one counter, so the source state does not matter here.
    for (const row of rows) deltas.move(runId, row.stage, 'pending', itemEvents.cancel.to);
    counters.apply(deltas);
    return rows.length;
  });

  const params = (f: NormalizedDeadLetterFilter, now: number): Params => ({
    runId: f.runId,
    stage: f.stage,
    category: f.category,
    ids: jsonList(f.ids),
    now,
  });

  return {
    deadLetters(filter: unknown, page: unknown): Page<DeadLetterRecord> {
      const f = normalizeDeadLetterFilter(filter);
      const includeRetried = (filter as { includeRetried?: unknown }).includeRetried;
      const p = normalizePage(page, isSeq);
      const rows = list.all({
        ...params(f, 0),
        includeRetried: includeRetried === true ? 1 : 0,
        after: p.after?.[0] ?? 0,
        limit: p.limit + 1,
      });
      const more = rows.length > p.limit;
      const page_ = more ? rows.slice(0, p.limit) : rows;
      const last = page_[page_.length - 1];
      return {
        items: page_.map(toDeadLetterRecord),
        next: more && last ? encodeCursor([last.seq]) : undefined,
      };
    },

    retryDeadLetters(filter: unknown, now: unknown): number {
      const f = normalizeDeadLetterFilter(filter);
      return retryDead.immediate(params(f, requireTime(now, 'now')));
    },

    resetFailed(runId: unknown, options: unknown, now: unknown): number {
      const o = requireObject<{ stage?: unknown }>(options ?? {}, 'options');
      return resetFailed.immediate({
        runId: requireId(runId, 'runId'),
        stage: o.stage === undefined ? null : requireId(o.stage, 'options.stage'),
        category: null,
        ids: null,
        now: requireTime(now, 'now'),
      });
    },

    cancelRun(runId: unknown, now: unknown): number {
      return cancel.immediate(requireId(runId, 'runId'), requireTime(now, 'now'));
    },
  };
}
