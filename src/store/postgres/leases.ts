import { normalizeHeartbeat } from '../input/items.js';
import { requireId, requireInteger, requireObject, requireTime } from '../validate.js';
import type { ClaimedItems } from './claimed.js';
import { notifySql } from './notify.js';
import { prepareResolve } from './resolve.js';
import { clearLease, fromStates, toState, type PgContext } from './sql.js';

/**
 * Lease upkeep: heartbeats extend the leases a worker still holds (one statement, fenced like
 * every write, by the heartbeat's owner), and the reclaim sweep returns expired leases to
 * `pending`, counting the lost attempt and writing it to the retry history, so that a crashed
 * worker's items are visible, not silently retried. Any live worker may sweep: the sweep locks
 * the rows it takes with SKIP LOCKED, so two sweepers (or a sweeper and a claimer) never fight.
 */
export function expiredSql(q: string): string {
  return `SELECT seq, lease_expires_at, lease_owner FROM ${q}.items
    WHERE state = 'leased' AND lease_expires_at <= $1 AND ($3::text IS NULL OR run_id = $3)
    ORDER BY lease_expires_at, seq LIMIT $2
    FOR UPDATE SKIP LOCKED`;
}

export function prepareLeases(ctx: PgContext, claimed: ClaimedItems) {
  const { pool, q } = ctx;
  const resolve = prepareResolve(ctx);
  const extend = `UPDATE ${q}.items AS i SET lease_expires_at = $1
     FROM unnest($2::bigint[], $3::text[]) AS u(seq, token)
     WHERE i.seq = u.seq AND i.state = 'leased' AND i.lease_owner = $4 AND i.lease_token = u.token
     RETURNING i.seq`;
  const extendName = ctx.name('heartbeat');
  const reclaim = `WITH e AS MATERIALIZED (${expiredSql(q)}),
     r AS (
       UPDATE ${q}.items AS i SET state = ${toState('reclaim')}, attempts = i.attempts + 1,
         ${clearLease}, updated_at = $1
       FROM e WHERE i.seq = e.seq AND i.state IN ${fromStates('reclaim')}
       RETURNING i.seq, i.run_id, i.stage, i.id, i.attempts, e.lease_expires_at, e.lease_owner),
     h AS (
       INSERT INTO ${q}.retry_history
         (run_id, stage, item_id, attempt, category, error, delay_ms, at)
       SELECT run_id, stage, id, attempts, 'recoverable',
         'lease expired at ' || lease_expires_at || ' (held by ' || lease_owner || ')', 0, $1
       FROM r ORDER BY lease_expires_at, seq)
     SELECT (SELECT count(*) FROM r) AS n,
       (SELECT count(${notifySql('$4::text', 'run_id', 'stage')})
        FROM (SELECT DISTINCT run_id, stage FROM r) AS w WHERE $4::text IS NOT NULL) AS notified`;
  const reclaimName = ctx.name('reclaim');

  return {
    async heartbeat(
      owner: unknown,
      leases: unknown,
      leaseMs: unknown,
      now: unknown,
    ): Promise<number> {
      const h = normalizeHeartbeat(owner, leases, leaseMs, now, claimed.isOwn);
      if (h.leases.length === 0) return 0;
      const seqs = h.leases.map((lease) => claimed.seqOf(lease));
      const foreign = seqs.flatMap((seq, i) => (seq === undefined ? [i] : []));
      if (foreign.length > 0) {
        const found = await resolve(
          pool,
          foreign.map((i) => h.leases[i]!),
        );
        foreign.forEach((i, k) => (seqs[i] = found[k]));
      }
      const known = seqs.flatMap((seq, i) => (seq === undefined ? [] : [i]));
      if (known.length === 0) return 0;
      const { rows } = await pool.query<{ seq: number }>({
        name: extendName,
        text: extend,
        values: [
          h.now + h.leaseMs,
          known.map((i) => seqs[i]!),
          known.map((i) => h.leases[i]!.token),
          h.owner,
        ],
      });
      // Counted per lease given, as on SQLite (a lease named twice counts twice).
      const extended = new Set(rows.map((row) => row.seq));
      return known.filter((i) => extended.has(seqs[i]!)).length;
    },

    async reclaimExpired(now: unknown, limit: unknown, options: unknown): Promise<number> {
      const o = options === undefined ? {} : requireObject<{ runId?: unknown }>(options, 'options');
      const at = requireTime(now, 'now');
      const n = requireInteger(limit, 'limit', 1);
      const runId = o.runId === undefined ? null : requireId(o.runId, 'options.runId');
      const { rows } = await pool.query<{ n: number }>({
        name: reclaimName,
        text: reclaim,
        values: [at, n, runId, ctx.channel],
      });
      return rows[0]!.n;
    },
  };
}
