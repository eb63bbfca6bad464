import type Database from 'better-sqlite3';
import type { ItemRow } from '../input/items.js';

/**
 * The one INSERT both seeding and fan-out use. `ON CONFLICT ... DO NOTHING` (not INSERT OR
 * IGNORE, which would also swallow CHECK and NOT NULL failures) makes re-inserting an ID a no-op.
 */
export interface InsertDefaults {
  readonly runId: string;
  readonly stage: string;
  readonly parentStage: string | null;
  readonly parentId: string | null;
  readonly priority: number;
  readonly traceContext: string | null;
  readonly now: number;
}

export function prepareInsertItem(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO items (run_id, stage, id, parent_stage, parent_id, state, priority, available_at,
       input, trace_context, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id, stage, id) DO NOTHING`,
  );
  /** Inserts the rows; returns how many were new. */
  return (rows: readonly ItemRow[], d: InsertDefaults): number => {
    let inserted = 0;
    for (const row of rows) {
      inserted += insert.run(
        d.runId,
        d.stage,
        row.id,
        d.parentStage,
        row.parentId ?? d.parentId,
        row.priority ?? d.priority,
        row.availableAt ?? d.now,
        row.input,
        row.traceContext ?? d.traceContext,
        d.now,
        d.now,
      ).changes;
    }
    return inserted;
  };
}
