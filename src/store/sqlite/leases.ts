import type Database from 'better-sqlite3';
import { normalizeHeartbeat } from '../input/items.js';
import type { Lease } from '../records.js';
import { requireId, requireInteger, requireObject, requireTime } from '../validate.js';
import { CountDeltas, type prepareCounters } from './counters.js';
import type { ClaimedItems } from './claimed.js';
import { clearLease, fenced, fencedBySeq, fromStates, toState } from './sql.js';

/**
 * Lease upkeep: heartbeats extend the leases a worker still holds (fenced like every write), and
 * the reclaim sweep returns expired leases to `pending`, counting the lost attempt and writing it
 * to the retry history so that a crashed worker's items are visible, not silently retried.
 */
/**
 * The leases the sweep takes, oldest expiry first. The history INSERT and the UPDATE both select
 * with it, in one IMMEDIATE transaction, so they see the same rows.
 */
export const expiredSql = `SELECT seq FROM items
    WHERE state = 'leased' AND lease_expires_at <= @now AND (@runId IS NULL OR run_id = @runId)
    ORDER BY lease_expires_at, seq LIMIT @limit`;

export function prepareLeases(
  db: Database.Database,
  counters: ReturnType<typeof prepareCounters>,
  claimed: ClaimedItems,
) {
  const extend = db.prepare(`UPDATE items SET lease_expires_at = ? WHERE ${fenced}`);
  const extendBySeq = db.prepare(`UPDATE items SET lease_expires_at = ? WHERE ${fencedBySeq}`);
  const heartbeatTx = db.transaction(
    (owner: string, leases: readonly Omit<Lease, 'owner'>[], expiresAt: number): number => {
      let extended = 0;
      for (const lease of leases) {
        // Fenced by the heartbeat's owner, never by the lease's own owner field.
        const seq = claimed.seqOf(lease);
        extended +=
          seq === undefined
            ? extend.run(expiresAt, lease.runId, lease.stage, lease.id, owner, lease.token).changes
            : extendBySeq.run(expiresAt, seq, owner, lease.token).changes;
      }
      return extended;
    },
  );

  const history = db.prepare(
    `INSERT INTO retry_history (run_id, stage, item_id, attempt, category, error, delay_ms, at)
     SELECT run_id, stage, id, attempts + 1, 'recoverable',
       'lease expired at ' || lease_expires_at || ' (held by ' || lease_owner || ')', 0, @now
     FROM items WHERE seq IN (${expiredSql})`,
  );
  const reclaim = db.prepare<Record<string, unknown>, { run_id: string; stage: string }>(
    `UPDATE items SET state = ${toState('reclaim')}, attempts = attempts + 1, ${clearLease},
       updated_at = @now
     WHERE state IN ${fromStates('reclaim')} AND seq IN (${expiredSql})
     RETURNING run_id, stage`,
  );
  const reclaimTx = db.transaction(
    (params: { now: number; limit: number; runId: string | null }) => {
      history.run(params);
      const rows = reclaim.all(params);
      const deltas = new CountDeltas();
      for (const row of rows) deltas.move(row.run_id, row.stage, 'leased', 'pending');
      counters.apply(deltas);
      return rows.length;
    },
  );

  return {
    heartbeat(owner: unknown, leases: unknown, leaseMs: unknown, now: unknown): number {
      const h = normalizeHeartbeat(owner, leases, leaseMs, now, claimed.isOwn);
      if (h.leases.length === 0) return 0;
      return heartbeatTx.immediate(h.owner, h.leases, h.now + h.leaseMs);
    },

    reclaimExpired(now: unknown, limit: unknown, options: unknown): number {
      const o = options === undefined ? {} : requireObject<{ runId?: unknown }>(options, 'options');
      return reclaimTx.immediate({
        now: requireTime(now, 'now'),
        limit: requireInteger(limit, 'limit', 1),
        runId: o.runId === undefined ? null : requireId(o.runId, 'options.runId'),
      });
    },
  };
}
