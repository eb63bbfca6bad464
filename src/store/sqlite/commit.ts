import type Database from 'better-sqlite3';
import { normalizeOutcomes, type NormalizedOutcome } from '../input/outcomes.js';
import type { CommitResult, Outcome } from '../outcome.js';
import type { ClaimedItem, Lease } from '../records.js';
import { requireTime } from '../validate.js';
import type { ClaimBatch, ClaimedItems } from './claimed.js';
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
 * (run_id, stage, id) for any other lease; outcomes are applied one by one, in input order.
 *
 * Except the engine's bulk: plain completes (no next-stage items) of one claim with the same
 * output and degraded flag (typically a queue's handlers returning nothing) are applied by ONE
 * set-based UPDATE per group, `seq IN (json_each(@seqs)) AND state = 'leased' AND lease_owner =
 * @owner AND lease_token = @nonce || seq`: the same fence per row, since every token of a claim
 * is its nonce followed by the row's seq. It costs two thirds of the per-row updates. A group is
 * formed only when the result cannot differ from applying the batch in order: every lease of the
 * batch is this store's own (a lease built by hand could name the same row by ID), and no other
 * outcome of the batch names the same row. If some lease of a group turns out fenced (the update
 * changed fewer rows than the group has), the group is rolled back to its savepoint and applied
 * row by row, which reports exactly which ones were fenced.
 *
 * The state named in each SET and the fence's `state = 'leased'` come from itemEvents.
 */
/** Smaller groups are applied row by row: below this, the set-based UPDATE saves nothing. */
const minGroup = 8;

interface Group {
  readonly batch: ClaimBatch;
  readonly output: string;
  readonly degraded: boolean;
  readonly seqs: number[];
  /** The outcomes' positions in the batch. */
  readonly indices: number[];
}

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

  const completeGroup = db.prepare<{
    seqs: string;
    output: string;
    degraded: number;
    now: number;
    owner: string;
    nonce: string;
  }>(
    `UPDATE items SET state = ${toState('complete')}, output = @output, degraded = @degraded,
       attempts = attempts + 1, ${clearLease}, completed_at = @now, updated_at = @now
     WHERE seq IN (SELECT value FROM json_each(@seqs)) AND state = 'leased'
       AND lease_owner = @owner AND lease_token = @nonce || seq`,
  );
  const someFenced = new Error('an outcome of the group is fenced');
  // Nested in the commit's transaction, so a savepoint: a throw undoes the group alone.
  const groupTx = db.transaction((group: Group, now: number) => {
    const changes = completeGroup.run({
      seqs: JSON.stringify(group.seqs),
      output: group.output,
      degraded: group.degraded ? 1 : 0,
      now,
      owner: group.batch.owner,
      nonce: group.batch.nonce,
    }).changes;
    if (changes !== group.seqs.length) throw someFenced;
  });

  // Every fence requires the item to be leased: the one state these events start from.
  for (const event of ['complete', 'retry', 'dead', 'skip', 'release'] as const) {
    if (fromStates(event) !== "('leased')") throw new Error(`${event} must start from leased`);
  }

  /**
   * The batch's groups (see above), or none if some lease is not this store's own. `seqs` gets
   * each outcome's seq.
   */
  const groupsOf = (
    outcomes: readonly NormalizedOutcome[],
    seqs: (number | undefined)[],
  ): Group[] => {
    const seen = new Set<number>();
    let repeated: Set<number> | undefined;
    let foreign = false;
    for (let i = 0; i < outcomes.length; i++) {
      const seq = claimed.seqOf(outcomes[i]!.lease);
      seqs[i] = seq;
      if (seq === undefined) foreign = true;
      else if (seen.has(seq)) (repeated ??= new Set()).add(seq);
      else seen.add(seq);
    }
    if (foreign) return [];
    const groups: Group[] = [];
    const byClaim = new Map<ClaimBatch, Map<string, Group>>();
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i]!;
      const seq = seqs[i]!;
      if (o.kind !== 'complete' || (o.next !== null && o.next.items.length > 0)) continue;
      if (repeated?.has(seq)) continue;
      const batch = claimed.batchOf(o.lease)!;
      let byOutput = byClaim.get(batch);
      if (byOutput === undefined) byClaim.set(batch, (byOutput = new Map<string, Group>()));
      const key = o.degraded ? `d${o.output}` : o.output;
      let group = byOutput.get(key);
      if (group === undefined) {
        group = { batch, output: o.output, degraded: o.degraded, seqs: [], indices: [] };
        byOutput.set(key, group);
        groups.push(group);
      }
      group.seqs.push(seq);
      group.indices.push(i);
    }
    return groups;
  };

  const apply = (
    o: NormalizedOutcome,
    seq: number | undefined,
    now: number,
    deltas: CountDeltas,
  ): boolean => {
    const lease = o.lease;
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
          // The children inherit the parent's priority and trace, which never change after the
          // insert: an own lease (a ClaimedItem) carries them as the claim read them; any other
          // lease reads them back.
          let inherited: { priority: number; trace_context: string | null } | undefined;
          if (seq === undefined) {
            inherited = get(completeReturning, seq, lease, o.output, degraded, now, now);
            if (inherited === undefined) return false;
          } else {
            const { owner, token } = lease;
            if (complete.bySeq.run(o.output, degraded, now, now, seq, owner, token).changes === 0) {
              return false;
            }
            const { priority, traceContext } = lease as ClaimedItem;
            inherited = { priority, trace_context: traceContext };
          }
          const inserted = insertItems(o.next.items, {
            runId,
            stage: o.next.stage,
            parentStage: stage,
            parentId: id,
            priority: inherited.priority,
            traceContext: inherited.trace_context,
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
    const seqs = new Array<number | undefined>(outcomes.length);
    // Outcomes applied by a group; the rest are applied one by one, in input order.
    const grouped = new Uint8Array(outcomes.length);
    for (const group of groupsOf(outcomes, seqs)) {
      const size = group.seqs.length;
      if (size < minGroup) continue;
      try {
        groupTx(group, now);
      } catch (error) {
        if (error === someFenced) continue;
        throw error;
      }
      for (const i of group.indices) grouped[i] = 1;
      applied += size;
      const { runId, stage } = group.batch;
      deltas.move(runId, stage, 'leased', 'completed', size);
      if (group.degraded) deltas.degraded(runId, stage, size);
    }
    for (let i = 0; i < outcomes.length; i++) {
      if (grouped[i] === 1) continue;
      const outcome = outcomes[i]!;
      if (apply(outcome, seqs[i], now, deltas)) applied++;
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
