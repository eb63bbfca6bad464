import { randomBytes } from 'node:crypto';
import { normalizeClaim } from '../input/items.js';
import { fromJson } from '../json.js';
import type { ClaimedItem, ClaimRequest } from '../records.js';
import { requireId } from '../validate.js';
import type { ClaimBatch, ClaimedItems } from './claimed.js';
import { fromStates, toState, type PgContext } from './sql.js';

/**
 * The claim: ONE statement. A materialized CTE picks the best claimable rows through the partial
 * index `items_claim` with `FOR UPDATE SKIP LOCKED LIMIT n` (rows another claimer is taking are
 * skipped, not waited for; READ COMMITTED re-checks each locked row's state on its newest
 * version, so a row taken and committed meanwhile is not taken again), and the UPDATE leases
 * exactly those rows, returning what the handler needs. RETURNING does not keep the CTE's order,
 * so the few rows are sorted here by the claim order (priority desc, available_at, seq).
 *
 * Each lease's token is a random nonce of the claim (128 bits, hex, and a dot) followed by the
 * row's seq: unique per lease and never reused.
 */
type ClaimRow = {
  seq: number;
  id: string;
  attempts: number;
  input: string;
  checkpoint: string | null;
  priority: number;
  available_at: number;
  parent_id: string | null;
  trace_context: string | null;
};

/** Exported for the test that checks the plan uses the partial index. */
export function claimSql(q: string): string {
  return `WITH picked AS MATERIALIZED (
       SELECT seq FROM ${q}.items
       WHERE run_id = $1 AND stage = $2 AND state IN ${fromStates('claim')} AND available_at <= $3
       ORDER BY priority DESC, available_at, seq
       LIMIT $4
       FOR UPDATE SKIP LOCKED)
     UPDATE ${q}.items AS i
     SET state = ${toState('claim')}, lease_owner = $5, lease_token = $6 || i.seq,
       lease_expires_at = $7, updated_at = $3
     FROM picked WHERE i.seq = picked.seq
     RETURNING i.seq, i.id, i.attempts, i.input, i.checkpoint, i.priority, i.available_at,
       i.parent_id, i.trace_context`;
}

const byClaimOrder = (a: ClaimRow, b: ClaimRow) =>
  b.priority - a.priority || a.available_at - b.available_at || a.seq - b.seq;

export function prepareClaim(ctx: PgContext, claimed: ClaimedItems) {
  const { pool, q } = ctx;
  const text = claimSql(q);
  const name = ctx.name('claim');
  const nextText = `SELECT min(available_at) AS at FROM ${q}.items
     WHERE run_id = $1 AND stage = $2 AND state IN ${fromStates('claim')}`;
  const nextName = ctx.name('next_available');

  return {
    async claim(request: ClaimRequest): Promise<ClaimedItem[]> {
      const r = normalizeClaim(request);
      const expiresAt = r.now + r.leaseMs;
      const batch: ClaimBatch = {
        runId: r.runId,
        stage: r.stage,
        owner: r.owner,
        nonce: `${randomBytes(16).toString('hex')}.`,
      };
      const { rows } = await pool.query<ClaimRow>({
        name,
        text,
        values: [r.runId, r.stage, r.now, r.limit, r.owner, batch.nonce, expiresAt],
      });
      rows.sort(byClaimOrder);
      const { Item } = claimed;
      const items = new Array<ClaimedItem>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        items[i] = new Item(
          batch,
          row.seq,
          row.id,
          row.attempts + 1,
          expiresAt,
          JSON.parse(row.input) as unknown,
          fromJson(row.checkpoint),
          row.priority,
          row.available_at,
          row.parent_id,
          row.trace_context,
        );
      }
      return items;
    },

    async nextAvailableAt(runId: string, stage: string): Promise<number | undefined> {
      const { rows } = await pool.query<{ at: number | null }>({
        name: nextName,
        text: nextText,
        values: [requireId(runId, 'runId'), requireId(stage, 'stage')],
      });
      return rows[0]?.at ?? undefined;
    },
  };
}
