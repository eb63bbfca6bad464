import type Database from 'better-sqlite3';
import { normalizeClaim } from '../input/items.js';
import { fromJson } from '../json.js';
import type { ClaimedItem, ClaimRequest } from '../records.js';
import { requireId } from '../validate.js';
import { CountDeltas, type prepareCounters } from './counters.js';
import { fromStates, toState } from './sql.js';

/**
 * The claim: ONE statement that picks the best claimable items through the partial index
 * `items_claim` and leases them, each with a fresh random token, returning what the handler
 * needs. It runs in an IMMEDIATE transaction so that, in WAL mode, the write lock is taken
 * before the snapshot is read: two connections can never both pick the same rows, and a busy
 * writer is waited for (busy_timeout) instead of failing with SQLITE_BUSY_SNAPSHOT.
 *
 * The subquery's `state IN (...)` must read exactly like the index's WHERE for SQLite to use
 * it; both come from itemEvents.claim (see migrations/0002_items.sql).
 */
interface ClaimRow {
  seq: number;
  id: string;
  attempts: number;
  input: string;
  checkpoint: string | null;
  priority: number;
  available_at: number;
  parent_id: string | null;
  trace_context: string | null;
  lease_token: string;
}

/** Exported for the test that checks SQLite plans it through the partial index. */
export const claimSql = `UPDATE items
     SET state = ${toState('claim')}, lease_owner = @owner, lease_token = lower(hex(randomblob(16))),
         lease_expires_at = @expiresAt, updated_at = @now
     WHERE seq IN (
       SELECT seq FROM items
       WHERE run_id = @runId AND stage = @stage AND state IN ${fromStates('claim')}
         AND available_at <= @now
       ORDER BY priority DESC, available_at, seq
       LIMIT @limit)
     RETURNING seq, id, attempts, input, checkpoint, priority, available_at, parent_id,
       trace_context, lease_token`;

export function prepareClaim(db: Database.Database, counters: ReturnType<typeof prepareCounters>) {
  const claim = db.prepare<Record<string, unknown>, ClaimRow>(claimSql);
  const claimTx = db.transaction((r: ClaimRequest) => {
    const rows = claim.all({
      runId: r.runId,
      stage: r.stage,
      owner: r.owner,
      now: r.now,
      expiresAt: r.now + r.leaseMs,
      limit: r.limit,
    });
    if (rows.length > 0) {
      const deltas = new CountDeltas();
      deltas.move(r.runId, r.stage, 'pending', 'leased', rows.length); // pending or retry_wait
      counters.apply(deltas);
    }
    return rows;
  });
  // The earliest available_at over all priorities. A plain min() would walk every claimable
  // entry of the stage (40 ms per 200,000 items); this loose index scan seeks once per distinct
  // priority: the recursive part steps down through the priorities, the outer part takes each
  // priority's first entry, both through items_claim.
  const claimable = `run_id = @runId AND stage = @stage AND state IN ${fromStates('claim')}`;
  const nextAvailable = db
    .prepare<{ runId: string; stage: string }, number | null>(
      `WITH RECURSIVE p(priority) AS (
         SELECT max(priority) FROM items WHERE ${claimable}
         UNION ALL
         SELECT (SELECT max(priority) FROM items WHERE ${claimable} AND priority < p.priority)
         FROM p WHERE p.priority IS NOT NULL)
       SELECT min((SELECT available_at FROM items WHERE ${claimable} AND priority = p.priority
                    ORDER BY available_at LIMIT 1))
       FROM p WHERE p.priority IS NOT NULL`,
    )
    .pluck();

  return {
    claim(request: ClaimRequest): ClaimedItem[] {
      const r = normalizeClaim(request);
      const rows = claimTx.immediate(r);
      // RETURNING does not keep the subquery's order; restore it.
      rows.sort(
        (a, b) => b.priority - a.priority || a.available_at - b.available_at || a.seq - b.seq,
      );
      const expiresAt = r.now + r.leaseMs;
      return rows.map((row) => ({
        runId: r.runId,
        stage: r.stage,
        id: row.id,
        owner: r.owner,
        token: row.lease_token,
        attempt: row.attempts + 1,
        leaseExpiresAt: expiresAt,
        input: JSON.parse(row.input) as unknown,
        checkpoint: fromJson(row.checkpoint),
        priority: row.priority,
        availableAt: row.available_at,
        parentId: row.parent_id,
        traceContext: row.trace_context,
      }));
    },

    nextAvailableAt(runId: string, stage: string): number | undefined {
      const at = nextAvailable.get({
        runId: requireId(runId, 'runId'),
        stage: requireId(stage, 'stage'),
      });
      return at ?? undefined;
    },
  };
}
