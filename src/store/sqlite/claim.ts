import type Database from 'better-sqlite3';
import { normalizeClaim } from '../input/items.js';
import { fromJson } from '../json.js';
import type { ClaimedItem, ClaimRequest } from '../records.js';
import { requireId } from '../validate.js';
import type { ClaimedItems } from './claimed.js';
import { CountDeltas, type prepareCounters } from './counters.js';
import { fromStates, toState } from './sql.js';

/**
 * The claim: ONE statement that picks the best claimable items through the partial index
 * `items_claim` and leases them, returning what the handler needs. It runs in an IMMEDIATE
 * transaction so that, in WAL mode, the write lock is taken before the snapshot is read: two
 * connections can never both pick the same rows, and a busy writer is waited for (busy_timeout)
 * instead of failing with SQLITE_BUSY_SNAPSHOT.
 *
 * Each lease's token is a random nonce of the claim (128 bits: an uncorrelated subquery, which
 * SQLite evaluates once per statement) followed by the row's seq: unique per lease and never
 * reused (a later claim of the same item draws another nonce), at half the cost of drawing and
 * hex-encoding 16 random bytes per row. Correct either way if SQLite evaluated it per row.
 *
 * The subquery's `state IN (...)` must read exactly like the index's WHERE for SQLite to use
 * it; both come from itemEvents.claim (see migrations/0002_items.sql).
 */
/** A claimed row, in raw (array) mode: no object with named keys per row. */
type ClaimRow = [
  seq: number,
  id: string,
  attempts: number,
  input: string,
  checkpoint: string | null,
  priority: number,
  availableAt: number,
  parentId: string | null,
  traceContext: string | null,
  token: string,
];

const token = `(SELECT lower(hex(randomblob(16)))) || '.' || seq`;

/** Exported for the test that checks SQLite plans it through the partial index. */
export const claimSql = `UPDATE items
     SET state = ${toState('claim')}, lease_owner = @owner, lease_token = ${token},
         lease_expires_at = @expiresAt, updated_at = @now
     WHERE seq IN (
       SELECT seq FROM items
       WHERE run_id = @runId AND stage = @stage AND state IN ${fromStates('claim')}
         AND available_at <= @now
       ORDER BY priority DESC, available_at, seq
       LIMIT @limit)
     RETURNING seq, id, attempts, input, checkpoint, priority, available_at, parent_id,
       trace_context, lease_token`;

/** Priority first, then earliest available_at, then insertion order: the claim's own order. */
const claimOrder = (a: ClaimRow, b: ClaimRow): number => b[5] - a[5] || a[6] - b[6] || a[0] - b[0];

export function prepareClaim(
  db: Database.Database,
  counters: ReturnType<typeof prepareCounters>,
  claimed: ClaimedItems,
) {
  const claim = db.prepare<Record<string, unknown>, ClaimRow>(claimSql).raw();
  const claimTx = db.transaction((r: ClaimRequest, expiresAt: number) => {
    const rows = claim.all({
      runId: r.runId,
      stage: r.stage,
      owner: r.owner,
      now: r.now,
      expiresAt,
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
      const expiresAt = r.now + r.leaseMs;
      const rows = claimTx.immediate(r, expiresAt);
      // RETURNING does not keep the subquery's order; restore it.
      rows.sort(claimOrder);
      const { Item } = claimed;
      const items = new Array<ClaimedItem>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        items[i] = new Item(
          r.runId,
          r.stage,
          row[1],
          r.owner,
          row[9],
          row[2] + 1,
          expiresAt,
          JSON.parse(row[3]) as unknown,
          fromJson(row[4]),
          row[5],
          row[6],
          row[7],
          row[8],
          row[0],
        );
      }
      return items;
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
