import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { normalizeClaim } from '../input/items.js';
import { fromJson } from '../json.js';
import type { ClaimedItem, ClaimRequest } from '../records.js';
import { requireId } from '../validate.js';
import type { ClaimBatch, ClaimedItems } from './claimed.js';
import { CountDeltas, type prepareCounters } from './counters.js';
import { fromStates, toState } from './sql.js';

/**
 * The claim: in one IMMEDIATE transaction, a SELECT that picks the best claimable items through
 * the partial index `items_claim`, in claim order (so nothing is sorted, in SQL or here), then
 * one UPDATE that leases those rows by seq. IMMEDIATE takes the write lock before the snapshot is
 * read, in WAL mode: two connections can never both pick the same rows, nothing changes between
 * the two statements, and a busy writer is waited for (busy_timeout) instead of failing with
 * SQLITE_BUSY_SNAPSHOT. (One `UPDATE ... WHERE seq IN (SELECT ...) RETURNING` instead costs a
 * tenth more: RETURNING buffers its rows, and loses the order.)
 *
 * Each lease's token is a random nonce of the claim (128 bits from node:crypto, hex, and a dot)
 * followed by the row's seq: unique per lease and never reused (a later claim of the same item
 * draws another nonce), and it lets a commit fence a claim's leases together (claimed.ts).
 *
 * The SELECT's `state IN (...)` must read exactly like the index's WHERE for SQLite to use it;
 * both come from itemEvents.claim (see migrations/0002_items.sql).
 */
/** A picked row, in raw (array) mode: no object with named keys per row. */
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
];

/** Exported for the test that checks SQLite plans it through the partial index. */
export const claimSql = `SELECT seq, id, attempts, input, checkpoint, priority, available_at,
       parent_id, trace_context
     FROM items
     WHERE run_id = @runId AND stage = @stage AND state IN ${fromStates('claim')}
       AND available_at <= @now
     ORDER BY priority DESC, available_at, seq
     LIMIT @limit`;

export function prepareClaim(
  db: Database.Database,
  counters: ReturnType<typeof prepareCounters>,
  claimed: ClaimedItems,
) {
  const pick = db.prepare<ClaimRequest, ClaimRow>(claimSql).raw();
  const take = db.prepare<Record<string, unknown>>(
    `UPDATE items
     SET state = ${toState('claim')}, lease_owner = @owner, lease_token = @nonce || seq,
       lease_expires_at = @expiresAt, updated_at = @now
     WHERE seq IN (SELECT value FROM json_each(@seqs))`,
  );
  const claimTx = db.transaction((r: ClaimRequest, batch: ClaimBatch, expiresAt: number) => {
    const rows = pick.all(r);
    if (rows.length > 0) {
      const seqs = new Array<number>(rows.length);
      for (let i = 0; i < rows.length; i++) seqs[i] = rows[i]![0];
      take.run({
        owner: r.owner,
        nonce: batch.nonce,
        expiresAt,
        now: r.now,
        seqs: JSON.stringify(seqs),
      });
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
      const batch: ClaimBatch = {
        runId: r.runId,
        stage: r.stage,
        owner: r.owner,
        nonce: `${randomBytes(16).toString('hex')}.`,
      };
      const rows = claimTx.immediate(r, batch, expiresAt);
      const { Item } = claimed;
      const items = new Array<ClaimedItem>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        items[i] = new Item(
          batch,
          row[0],
          row[1],
          row[2] + 1,
          expiresAt,
          JSON.parse(row[3]) as unknown,
          fromJson(row[4]),
          row[5],
          row[6],
          row[7],
          row[8],
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
