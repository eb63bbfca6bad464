import type { ItemRow } from '../input/items.js';
import type { PgContext, Queryable } from './sql.js';

/**
 * The INSERT seeding uses: the items go as parallel arrays through `unnest`, one statement per
 * chunk. `ON CONFLICT ... DO NOTHING` makes re-inserting an ID (already stored, or earlier in
 * the same batch) a no-op; defaults (priority 0, available now) are applied in SQL.
 */
export interface InsertDefaults {
  readonly runId: string;
  readonly stage: string;
  readonly now: number;
}

/** Rows per statement: bounds the size of one message and of one statement's arrays. */
const chunk = 5_000;

export function prepareInsertItems(ctx: PgContext) {
  const text = `INSERT INTO ${ctx.q}.items (run_id, stage, id, parent_id, state, priority,
       available_at, input, trace_context, created_at, updated_at)
     SELECT $1, $2, u.id, u.parent_id, 'pending', coalesce(u.priority, 0),
       coalesce(u.available_at, $3), u.input::jsonb, u.trace_context, $3, $3
     FROM unnest($4::text[], $5::text[], $6::int[], $7::bigint[], $8::text[], $9::text[])
       WITH ORDINALITY AS u(id, parent_id, priority, available_at, input, trace_context, n)
     ORDER BY u.n
     ON CONFLICT (run_id, stage, id) DO NOTHING`;
  const name = ctx.name('insert_items');
  /** Inserts the rows; returns how many were new. */
  return async (db: Queryable, rows: readonly ItemRow[], d: InsertDefaults): Promise<number> => {
    let inserted = 0;
    for (let start = 0; start < rows.length; start += chunk) {
      const part = rows.slice(start, start + chunk);
      const result = await db.query({
        name,
        text,
        values: [
          d.runId,
          d.stage,
          d.now,
          part.map((r) => r.id),
          part.map((r) => r.parentId),
          part.map((r) => r.priority),
          part.map((r) => r.availableAt),
          part.map((r) => r.input),
          part.map((r) => r.traceContext),
        ],
      });
      inserted += result.rowCount ?? 0;
    }
    return inserted;
  };
}
