import type Database from 'better-sqlite3';
import { normalizeNewItems } from '../input/items.js';
import type { SeedResult } from '../records.js';
import { requireId, requireTime } from '../validate.js';
import { CountDeltas, type prepareCounters } from './counters.js';
import { prepareInsertItem } from './insert-items.js';
import { runChecker } from './sql.js';

/**
 * Seeding: every item is checked (ID, JSON input, priority...) before the transaction starts,
 * then all are inserted in one IMMEDIATE transaction; an ID already present is left untouched.
 */
export function prepareSeed(db: Database.Database, counters: ReturnType<typeof prepareCounters>) {
  const requireRun = runChecker(db);
  const insert = prepareInsertItem(db);
  const seedTx = db.transaction(
    (runId: string, stage: string, rows: Parameters<typeof insert>[0], now: number) => {
      requireRun(runId);
      const inserted = insert(rows, {
        runId,
        stage,
        parentStage: null,
        parentId: null,
        priority: 0,
        traceContext: null,
        now,
      });
      const deltas = new CountDeltas();
      deltas.add(runId, stage, 'pending', inserted);
      counters.apply(deltas);
      return { inserted, existing: rows.length - inserted };
    },
  );

  return {
    seedItems(runId: unknown, stage: unknown, items: unknown, now: unknown): SeedResult {
      const id = requireId(runId, 'runId');
      const s = requireId(stage, 'stage');
      const rows = normalizeNewItems(items, 'items', true);
      const at = requireTime(now, 'now');
      if (rows.length === 0) {
        requireRun(id);
        return { inserted: 0, existing: 0 };
      }
      return seedTx.immediate(id, s, rows, at);
    },
  };
}
