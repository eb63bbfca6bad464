import type { ItemEvent } from '../item-state.js';
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
import { notifySql } from './notify.js';
import {
  fromStates,
  inTransaction,
  runChecker,
  toState,
  type PgContext,
  type Queryable,
} from './sql.js';

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
  ids: readonly string[] | null;
  now: number;
}

// $1 run, $2 stage, $3 category, $4 ids, $5 now
const itemFilter = `run_id = $1 AND ($2::text IS NULL OR stage = $2)
  AND ($3::text IS NULL OR last_category = $3) AND ($4::text[] IS NULL OR id = ANY($4))`;

export function prepareFailures(ctx: PgContext) {
  const { pool, q } = ctx;
  const requireRun = runChecker(ctx);
  const list = `SELECT * FROM ${q}.dead_letters WHERE run_id = $1
       AND ($2::text IS NULL OR stage = $2) AND ($3::text IS NULL OR category = $3)
       AND ($4::text[] IS NULL OR item_id = ANY($4))
       AND ($5::bool OR retried_at IS NULL) AND seq > $6
     ORDER BY seq LIMIT $7`;

  /**
   * Sends the items `event` applies to, matching the filter, back to pending (dead letters of
   * the dead ones marked retried first), in one transaction.
   */
  const revive = (event: ItemEvent & ('retryDeadLetter' | 'resetFailed'), runField: string) => {
    const mark = `UPDATE ${q}.dead_letters SET retried_at = $5
       WHERE run_id = $1 AND retried_at IS NULL AND (stage, item_id) IN (
         SELECT stage, id FROM ${q}.items WHERE ${itemFilter} AND state = 'dead')`;
    const update = `UPDATE ${q}.items SET state = ${toState(event)}, attempts = 0,
         available_at = $5, updated_at = $5
       WHERE ${itemFilter} AND state IN ${fromStates(event)}
       RETURNING stage`;
    return (params: Params) =>
      inTransaction(pool, async (client) => {
        await requireRun(client, params.runId, runField);
        const values = [params.runId, params.stage, params.category, params.ids, params.now];
        await client.query(mark, values);
        const { rows } = await client.query<{ stage: string }>(update, values);
        await notifyStages(client, params.runId, rows);
        return rows.length;
      });
  };
  const notify = `SELECT ${notifySql('$1::text', '$2::text', 'stage')} FROM unnest($3::text[]) AS stage`;
  const notifyStages = async (client: Queryable, runId: string, rows: { stage: string }[]) => {
    if (ctx.channel === null || rows.length === 0) return;
    const stages = [...new Set(rows.map((row) => row.stage))];
    await client.query(notify, [ctx.channel, runId, stages]);
  };
  const retryDead = revive('retryDeadLetter', 'filter.runId');
  const resetFailed = revive('resetFailed', 'runId');

  const cancelItems = `UPDATE ${q}.items SET state = ${toState('cancel')},
       skip_reason = 'cancelled', updated_at = $1
     WHERE run_id = $2 AND state IN ${fromStates('cancel')}`;
  const cancelRunRow = `UPDATE ${q}.runs SET status = 'cancelled', updated_at = $1 WHERE id = $2`;

  const params = (f: NormalizedDeadLetterFilter, now: number): Params => ({
    runId: f.runId,
    stage: f.stage,
    category: f.category,
    ids: f.ids,
    now,
  });

  return {
    async deadLetters(filter: unknown, page: unknown): Promise<Page<DeadLetterRecord>> {
      const f = normalizeDeadLetterFilter(filter);
      const includeRetried = (filter as { includeRetried?: unknown }).includeRetried;
      const p = normalizePage(page, isSeq);
      const { rows } = await pool.query<DeadLetterRow>(list, [
        f.runId,
        f.stage,
        f.category,
        f.ids,
        includeRetried === true,
        p.after?.[0] ?? 0,
        p.limit + 1,
      ]);
      const more = rows.length > p.limit;
      const page_ = more ? rows.slice(0, p.limit) : rows;
      const last = page_[page_.length - 1];
      return {
        items: page_.map(toDeadLetterRecord),
        next: more && last ? encodeCursor([last.seq]) : undefined,
      };
    },

    retryDeadLetters(filter: unknown, now: unknown): Promise<number> {
      const f = normalizeDeadLetterFilter(filter);
      return retryDead(params(f, requireTime(now, 'now')));
    },

    resetFailed(runId: unknown, options: unknown, now: unknown): Promise<number> {
      const o = requireObject<{ stage?: unknown }>(options ?? {}, 'options');
      return resetFailed({
        runId: requireId(runId, 'runId'),
        stage: o.stage === undefined ? null : requireId(o.stage, 'options.stage'),
        category: null,
        ids: null,
        now: requireTime(now, 'now'),
      });
    },

    cancelRun(runId: unknown, now: unknown): Promise<number> {
      const id = requireId(runId, 'runId');
      const at = requireTime(now, 'now');
      return inTransaction(pool, async (client) => {
        await requireRun(client, id);
        await client.query(cancelRunRow, [at, id]);
        return (await client.query(cancelItems, [at, id])).rowCount ?? 0;
      });
    },
  };
}
