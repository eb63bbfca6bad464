import type Database from 'better-sqlite3';
import { normalizeOutcomes, type NormalizedOutcome } from '../input/outcomes.js';
import type { CommitResult, Outcome } from '../outcome.js';
import type { Lease } from '../records.js';
import { requireTime } from '../validate.js';
import { prepareInsertItem } from './insert-items.js';
import { clearLease, fenced, fromStates, toState } from './sql.js';

/**
 * Group commit: a whole batch of outcomes in ONE IMMEDIATE transaction (one fsync at most), each
 * fenced by its lease: `state = 'leased' AND lease_owner = ? AND lease_token = ?`. A stale
 * outcome (lease expired and reclaimed, released, or already committed) matches no row, changes
 * nothing, and is reported in `fenced`; the rest of the batch still applies.
 *
 * The state named in each SET and the fence's `state = 'leased'` come from itemEvents; the
 * items_state_machine trigger refuses anything else at the database level too.
 */
export function prepareCommit(db: Database.Database) {
  const complete = db.prepare<
    Record<string, unknown>,
    { priority: number; trace_context: string | null }
  >(
    `UPDATE items SET state = ${toState('complete')}, output = @output, degraded = @degraded,
       attempts = attempts + 1, ${clearLease}, completed_at = @now, updated_at = @now
     WHERE ${fenced} RETURNING priority, trace_context`,
  );
  const retry = db.prepare<Record<string, unknown>, { attempts: number }>(
    `UPDATE items SET state = ${toState('retry')}, available_at = @availableAt,
       attempts = attempts + 1, last_error = @error, last_category = @category, ${clearLease},
       updated_at = @now
     WHERE ${fenced} RETURNING attempts`,
  );
  const retryHistory = db.prepare(
    `INSERT INTO retry_history (run_id, stage, item_id, attempt, category, error, delay_ms, at)
     VALUES (@runId, @stage, @id, @attempt, @category, @error, @delayMs, @now)`,
  );
  const dead = db.prepare<Record<string, unknown>, { attempts: number }>(
    `UPDATE items SET state = ${toState('dead')}, attempts = attempts + 1, last_error = @error,
       last_category = @category, ${clearLease}, updated_at = @now
     WHERE ${fenced} RETURNING attempts`,
  );
  const deadLetter = db.prepare(
    `INSERT INTO dead_letters (run_id, stage, item_id, attempt, category, error, at)
     VALUES (@runId, @stage, @id, @attempt, @category, @error, @now)`,
  );
  const skip = db.prepare(
    `UPDATE items SET state = ${toState('skip')}, attempts = attempts + 1, skip_reason = @reason,
       ${clearLease}, updated_at = @now
     WHERE ${fenced}`,
  );
  const release = db.prepare(
    `UPDATE items SET state = ${toState('release')}, ${clearLease}, updated_at = @now
     WHERE ${fenced}`,
  );
  const checkpoint = db.prepare(
    `UPDATE items SET checkpoint = @state, updated_at = @now WHERE ${fenced}`,
  );
  const insertItems = prepareInsertItem(db);

  // Every fence requires the item to be leased: the one state these events start from.
  for (const event of ['complete', 'retry', 'dead', 'skip', 'release'] as const) {
    if (fromStates(event) !== "('leased')") throw new Error(`${event} must start from leased`);
  }

  const apply = (o: NormalizedOutcome, now: number): boolean => {
    const key = { ...o.lease, now };
    switch (o.kind) {
      case 'complete': {
        const row = complete.get({ ...key, output: o.output, degraded: o.degraded ? 1 : 0 });
        if (row === undefined) return false;
        if (o.next !== null && o.next.items.length > 0) {
          insertItems(o.next.items, {
            runId: o.lease.runId,
            stage: o.next.stage,
            parentStage: o.lease.stage,
            parentId: o.lease.id,
            priority: row.priority,
            traceContext: row.trace_context,
            now,
          });
        }
        return true;
      }
      case 'retry': {
        const params = { ...key, availableAt: o.availableAt, error: o.error, category: o.category };
        const row = retry.get(params);
        if (row === undefined) return false;
        retryHistory.run({ ...params, attempt: row.attempts, delayMs: o.delayMs });
        return true;
      }
      case 'dead': {
        const params = { ...key, error: o.error, category: o.category };
        const row = dead.get(params);
        if (row === undefined) return false;
        deadLetter.run({ ...params, attempt: row.attempts });
        return true;
      }
      case 'skip':
        return skip.run({ ...key, reason: o.reason }).changes === 1;
      case 'release':
        return release.run(key).changes === 1;
      case 'checkpoint':
        return checkpoint.run({ ...key, state: o.state }).changes === 1;
    }
  };

  const commitTx = db.transaction((outcomes: readonly NormalizedOutcome[], now: number) => {
    let applied = 0;
    const stale: Lease[] = [];
    for (const outcome of outcomes) {
      if (apply(outcome, now)) applied++;
      else stale.push(outcome.source);
    }
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
