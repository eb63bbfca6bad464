import type Database from 'better-sqlite3';
import { normalizeOutcomes, type NormalizedOutcome } from '../input/outcomes.js';
import type { CommitResult, Outcome } from '../outcome.js';
import type { Lease } from '../records.js';
import { requireTime } from '../validate.js';
import { CountDeltas, type prepareCounters } from './counters.js';
import { prepareInsertItem } from './insert-items.js';
import { clearLease, fenceParams, fenced, fromStates, toState } from './sql.js';

/**
 * Group commit: a whole batch of outcomes in ONE IMMEDIATE transaction (one fsync at most), each
 * fenced by its lease: `state = 'leased' AND lease_owner = ? AND lease_token = ?`. A stale
 * outcome (lease expired and reclaimed, released, or already committed) matches no row, changes
 * nothing, and is reported in `fenced`; the rest of the batch still applies.
 *
 * The state named in each SET and the fence's `state = 'leased'` come from itemEvents.
 */
type Fence = ReturnType<typeof fenceParams>;

export function prepareCommit(db: Database.Database, counters: ReturnType<typeof prepareCounters>) {
  // Without next-stage items there is nothing to read back, and RETURNING (which buffers its rows
  // in a temporary table) costs a quarter of the update: two statements, the hot one plain.
  const completeSql = `UPDATE items SET state = ${toState('complete')}, output = ?, degraded = ?,
       attempts = attempts + 1, ${clearLease}, completed_at = ?, updated_at = ?
     WHERE ${fenced}`;
  const complete = db.prepare<[string, number, number, number, ...Fence]>(completeSql);
  const completeReturning = db.prepare<
    [string, number, number, number, ...Fence],
    { priority: number; trace_context: string | null }
  >(`${completeSql} RETURNING priority, trace_context`);
  const retry = db.prepare<[number, string, string, number, ...Fence], { attempts: number }>(
    `UPDATE items SET state = ${toState('retry')}, available_at = ?, attempts = attempts + 1,
       last_error = ?, last_category = ?, ${clearLease}, updated_at = ?
     WHERE ${fenced} RETURNING attempts`,
  );
  const retryHistory = db.prepare(
    `INSERT INTO retry_history (run_id, stage, item_id, attempt, category, error, delay_ms, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const dead = db.prepare<[string, string, number, ...Fence], { attempts: number }>(
    `UPDATE items SET state = ${toState('dead')}, attempts = attempts + 1, last_error = ?,
       last_category = ?, ${clearLease}, updated_at = ?
     WHERE ${fenced} RETURNING attempts`,
  );
  const deadLetter = db.prepare(
    `INSERT INTO dead_letters (run_id, stage, item_id, attempt, category, error, at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const skip = db.prepare<[string, number, ...Fence]>(
    `UPDATE items SET state = ${toState('skip')}, attempts = attempts + 1, skip_reason = ?,
       ${clearLease}, updated_at = ?
     WHERE ${fenced}`,
  );
  const release = db.prepare<[number, ...Fence]>(
    `UPDATE items SET state = ${toState('release')}, ${clearLease}, updated_at = ? WHERE ${fenced}`,
  );
  const checkpoint = db.prepare<[string, number, ...Fence]>(
    `UPDATE items SET checkpoint = ?, updated_at = ? WHERE ${fenced}`,
  );
  const insertItems = prepareInsertItem(db);

  // Every fence requires the item to be leased: the one state these events start from.
  for (const event of ['complete', 'retry', 'dead', 'skip', 'release'] as const) {
    if (fromStates(event) !== "('leased')") throw new Error(`${event} must start from leased`);
  }

  const apply = (o: NormalizedOutcome, now: number, deltas: CountDeltas): boolean => {
    const fence = fenceParams(o.lease);
    const { runId, stage, id } = o.lease;
    switch (o.kind) {
      case 'complete': {
        const degraded = o.degraded ? 1 : 0;
        if (o.next === null || o.next.items.length === 0) {
          if (complete.run(o.output, degraded, now, now, ...fence).changes === 0) return false;
        } else {
          const row = completeReturning.get(o.output, degraded, now, now, ...fence);
          if (row === undefined) return false;
          const inserted = insertItems(o.next.items, {
            runId,
            stage: o.next.stage,
            parentStage: stage,
            parentId: id,
            priority: row.priority,
            traceContext: row.trace_context,
            now,
          });
          deltas.add(runId, o.next.stage, 'pending', inserted);
        }
        deltas.move(runId, stage, 'leased', 'completed');
        if (o.degraded) deltas.degraded(runId, stage);
        return true;
      }
      case 'retry': {
        const row = retry.get(o.availableAt, o.error, o.category, now, ...fence);
        if (row === undefined) return false;
        retryHistory.run(runId, stage, id, row.attempts, o.category, o.error, o.delayMs, now);
        deltas.move(runId, stage, 'leased', 'retry_wait');
        return true;
      }
      case 'dead': {
        const row = dead.get(o.error, o.category, now, ...fence);
        if (row === undefined) return false;
        deadLetter.run(runId, stage, id, row.attempts, o.category, o.error, now);
        deltas.move(runId, stage, 'leased', 'dead');
        return true;
      }
      case 'skip':
        if (skip.run(o.reason, now, ...fence).changes === 0) return false;
        deltas.move(runId, stage, 'leased', 'skipped');
        return true;
      case 'release':
        if (release.run(now, ...fence).changes === 0) return false;
        deltas.move(runId, stage, 'leased', 'pending');
        return true;
      case 'checkpoint':
        return checkpoint.run(o.state, now, ...fence).changes === 1;
    }
  };

  const commitTx = db.transaction((outcomes: readonly NormalizedOutcome[], now: number) => {
    let applied = 0;
    const stale: Lease[] = [];
    const deltas = new CountDeltas();
    for (const outcome of outcomes) {
      if (apply(outcome, now, deltas)) applied++;
      else stale.push(outcome.source);
    }
    counters.apply(deltas);
    return { applied, fenced: stale };
  });

  return {
    commit(outcomes: readonly Outcome[], now: number): CommitResult {
      const normalized = normalizeOutcomes(outcomes);
      const at = requireTime(now, 'now');
      if (normalized.length === 0) return { applied: 0, fenced: [] };
      return commitTx.immediate(normalized, at);
    },
  };
}
