import type Database from 'better-sqlite3';
import { normalizeOutcomes, type NormalizedOutcome } from '../input/outcomes.js';
import type { CommitResult, Outcome } from '../outcome.js';
import type { Lease } from '../records.js';
import { requireTime } from '../validate.js';
import type { ClaimedItems } from './claimed.js';
import { CountDeltas, type prepareCounters } from './counters.js';
import { prepareInsertItem } from './insert-items.js';
import { clearLease, fenceParams, fenced, fencedBySeq, fromStates, toState } from './sql.js';

/**
 * Group commit: a whole batch of outcomes in ONE IMMEDIATE transaction (one fsync at most), each
 * fenced by its lease: `state = 'leased' AND lease_owner = ? AND lease_token = ?`. A stale
 * outcome (lease expired and reclaimed, released, or already committed) matches no row, changes
 * nothing, and is reported in `fenced`; the rest of the batch still applies.
 *
 * Every statement comes in two forms: fenced by the row's seq for a lease this store handed out
 * (claimed.ts: a primary-key lookup, a third cheaper than the text index), and by
 * (run_id, stage, id) for any other lease. Both apply the outcomes one by one in input order.
 *
 * The state named in each SET and the fence's `state = 'leased'` come from itemEvents.
 */
type ByIdFence = ReturnType<typeof fenceParams>;
type BySeqFence = [seq: number, owner: string, token: string];

interface Fenced<P extends unknown[], R> {
  readonly bySeq: Database.Statement<[...P, ...BySeqFence], R>;
  readonly byId: Database.Statement<[...P, ...ByIdFence], R>;
}

export function prepareCommit(
  db: Database.Database,
  counters: ReturnType<typeof prepareCounters>,
  claimed: ClaimedItems,
) {
  const fencedStatement = <P extends unknown[], R = unknown>(
    update: string,
    returning = '',
  ): Fenced<P, R> => ({
    bySeq: db.prepare<[...P, ...BySeqFence], R>(`${update} WHERE ${fencedBySeq} ${returning}`),
    byId: db.prepare<[...P, ...ByIdFence], R>(`${update} WHERE ${fenced} ${returning}`),
  });
  /** Runs a fenced statement for `lease` (its seq if it is one of ours); returns the changes. */
  const run = <P extends unknown[]>(
    statement: Fenced<P, unknown>,
    seq: number | undefined,
    lease: Lease,
    ...params: P
  ): number =>
    seq === undefined
      ? statement.byId.run(...params, ...fenceParams(lease)).changes
      : statement.bySeq.run(...params, seq, lease.owner, lease.token).changes;
  /** Like run, for a statement with RETURNING: the row, or undefined if fenced. */
  const get = <P extends unknown[], R>(
    statement: Fenced<P, R>,
    seq: number | undefined,
    lease: Lease,
    ...params: P
  ): R | undefined =>
    seq === undefined
      ? statement.byId.get(...params, ...fenceParams(lease))
      : statement.bySeq.get(...params, seq, lease.owner, lease.token);

  // Without next-stage items there is nothing to read back, and RETURNING (which buffers its rows
  // in a temporary table) costs a quarter of the update: two statements, the hot one plain.
  const completeSql = `UPDATE items SET state = ${toState('complete')}, output = ?, degraded = ?,
       attempts = attempts + 1, ${clearLease}, completed_at = ?, updated_at = ?`;
  type CompleteParams = [output: string, degraded: number, completedAt: number, now: number];
  const complete = fencedStatement<CompleteParams>(completeSql);
  const completeReturning = fencedStatement<
    CompleteParams,
    { priority: number; trace_context: string | null }
  >(completeSql, 'RETURNING priority, trace_context');
  const retry = fencedStatement<[number, string, string, number], { attempts: number }>(
    `UPDATE items SET state = ${toState('retry')}, available_at = ?, attempts = attempts + 1,
       last_error = ?, last_category = ?, ${clearLease}, updated_at = ?`,
    'RETURNING attempts',
  );
  const retryHistory = db.prepare(
    `INSERT INTO retry_history (run_id, stage, item_id, attempt, category, error, delay_ms, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const dead = fencedStatement<[string, string, number], { attempts: number }>(
    `UPDATE items SET state = ${toState('dead')}, attempts = attempts + 1, last_error = ?,
       last_category = ?, ${clearLease}, updated_at = ?`,
    'RETURNING attempts',
  );
  const deadLetter = db.prepare(
    `INSERT INTO dead_letters (run_id, stage, item_id, attempt, category, error, at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const skip = fencedStatement<[string, number]>(
    `UPDATE items SET state = ${toState('skip')}, attempts = attempts + 1, skip_reason = ?,
       ${clearLease}, updated_at = ?`,
  );
  const release = fencedStatement<[number]>(
    `UPDATE items SET state = ${toState('release')}, ${clearLease}, updated_at = ?`,
  );
  const checkpoint = fencedStatement<[string, number]>(
    `UPDATE items SET checkpoint = ?, updated_at = ?`,
  );
  const insertItems = prepareInsertItem(db);

  // Every fence requires the item to be leased: the one state these events start from.
  for (const event of ['complete', 'retry', 'dead', 'skip', 'release'] as const) {
    if (fromStates(event) !== "('leased')") throw new Error(`${event} must start from leased`);
  }

  const apply = (o: NormalizedOutcome, now: number, deltas: CountDeltas): boolean => {
    const lease = o.lease;
    const seq = claimed.seqOf(lease);
    const { runId, stage, id } = lease;
    switch (o.kind) {
      case 'complete': {
        const degraded = o.degraded ? 1 : 0;
        if (o.next === null || o.next.items.length === 0) {
          // The hot path, bound without spreads.
          const changes =
            seq === undefined
              ? complete.byId.run(o.output, degraded, now, now, ...fenceParams(lease)).changes
              : complete.bySeq.run(o.output, degraded, now, now, seq, lease.owner, lease.token)
                  .changes;
          if (changes === 0) return false;
        } else {
          const row = get(completeReturning, seq, lease, o.output, degraded, now, now);
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
        const row = get(retry, seq, lease, o.availableAt, o.error, o.category, now);
        if (row === undefined) return false;
        retryHistory.run(runId, stage, id, row.attempts, o.category, o.error, o.delayMs, now);
        deltas.move(runId, stage, 'leased', 'retry_wait');
        return true;
      }
      case 'dead': {
        const row = get(dead, seq, lease, o.error, o.category, now);
        if (row === undefined) return false;
        deadLetter.run(runId, stage, id, row.attempts, o.category, o.error, now);
        deltas.move(runId, stage, 'leased', 'dead');
        return true;
      }
      case 'skip':
        if (run(skip, seq, lease, o.reason, now) === 0) return false;
        deltas.move(runId, stage, 'leased', 'skipped');
        return true;
      case 'release':
        if (run(release, seq, lease, now) === 0) return false;
        deltas.move(runId, stage, 'leased', 'pending');
        return true;
      case 'checkpoint':
        return run(checkpoint, seq, lease, o.state, now) === 1;
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
      const normalized = normalizeOutcomes(outcomes, claimed.isOwn);
      const at = requireTime(now, 'now');
      if (normalized.length === 0) return { applied: 0, fenced: [] };
      return commitTx.immediate(normalized, at);
    },
  };
}
