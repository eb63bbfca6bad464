import { normalizeOutcomes, type NormalizedOutcome } from '../input/outcomes.js';
import type { CommitResult, Outcome } from '../outcome.js';
import type { Lease } from '../records.js';
import { requireTime } from '../validate.js';
import type { ClaimedItems } from './claimed.js';
import { notifySql } from './notify.js';
import { prepareResolve } from './resolve.js';
import { fromStates, inTransaction, toState, type PgContext, type Queryable } from './sql.js';

/**
 * Group commit: a whole flush of outcomes in ONE statement. The outcomes go as parallel arrays
 * through `unnest` into one `UPDATE ... FROM`, each row fenced by its lease exactly as on SQLite
 * (`seq AND state = 'leased' AND lease_owner AND lease_token`), each kind's SET chosen by CASE;
 * data-modifying CTEs then write the retry history and dead letters of the rows that changed and
 * insert the next-stage items of the completions that applied (inheriting the parent's priority
 * and trace). A stale outcome matches no row, changes nothing and is reported in `fenced`; the
 * rest of the flush applies. One statement is one transaction: a flush that fails applied none
 * of it.
 *
 * One UPDATE must not name a row twice, so a flush that does (a checkpoint then a complete of
 * the same lease, a repeated outcome) is cut into rounds, each naming every row at most once and
 * keeping each row's outcomes in input order, run in order in one transaction.
 */
interface Round {
  readonly indices: number[];
}

export function prepareCommit(ctx: PgContext, claimed: ClaimedItems) {
  const { pool, q } = ctx;
  const resolve = prepareResolve(ctx);
  const kindIs = (...kinds: string[]) => `u.kind IN (${kinds.map((k) => `'${k}'`).join(', ')})`;
  const keep = (column: string, when: string, value: string) =>
    `${column} = CASE WHEN ${when} THEN ${value} ELSE i.${column} END`;
  // Every fence requires the item to be leased: the one state these events start from.
  for (const event of ['complete', 'retry', 'dead', 'skip', 'release'] as const) {
    if (fromStates(event) !== "('leased')") throw new Error(`${event} must start from leased`);
  }
  const text = `WITH c AS (
       UPDATE ${q}.items AS i SET
         state = CASE u.kind WHEN 'complete' THEN ${toState('complete')}
           WHEN 'retry' THEN ${toState('retry')} WHEN 'dead' THEN ${toState('dead')}
           WHEN 'skip' THEN ${toState('skip')} WHEN 'release' THEN ${toState('release')}
           ELSE i.state END,
         ${keep('output', kindIs('complete'), 'u.payload::jsonb')},
         ${keep('degraded', kindIs('complete'), 'u.degraded')},
         ${keep('completed_at', kindIs('complete'), '$1')},
         attempts = i.attempts + CASE WHEN ${kindIs('complete', 'retry', 'dead', 'skip')}
           THEN 1 ELSE 0 END,
         ${keep('available_at', kindIs('retry'), 'u.available_at')},
         ${keep('last_error', kindIs('retry', 'dead'), 'u.payload')},
         ${keep('last_category', kindIs('retry', 'dead'), 'u.category')},
         ${keep('skip_reason', kindIs('skip'), 'u.payload')},
         ${keep('checkpoint', kindIs('checkpoint'), 'u.payload::jsonb')},
         lease_owner = CASE WHEN ${kindIs('checkpoint')} THEN i.lease_owner END,
         lease_token = CASE WHEN ${kindIs('checkpoint')} THEN i.lease_token END,
         lease_expires_at = CASE WHEN ${kindIs('checkpoint')} THEN i.lease_expires_at END,
         updated_at = $1
       FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[],
           $8::bigint[], $9::text[], $10::bigint[]) WITH ORDINALITY
         AS u(seq, owner, token, kind, payload, degraded, available_at, category, delay_ms, n)
       WHERE i.seq = u.seq AND i.state = 'leased' AND i.lease_owner = u.owner
         AND i.lease_token = u.token
       RETURNING u.n, u.kind, i.seq, i.run_id, i.stage, i.id, i.attempts, i.priority,
         i.trace_context, u.payload, u.category, u.delay_ms),
     h AS (
       INSERT INTO ${q}.retry_history (run_id, stage, item_id, attempt, category, error, delay_ms, at)
       SELECT run_id, stage, id, attempts, category, payload, delay_ms, $1 FROM c
       WHERE kind = 'retry' ORDER BY n),
     d AS (
       INSERT INTO ${q}.dead_letters (run_id, stage, item_id, attempt, category, error, at)
       SELECT run_id, stage, id, attempts, category, payload, $1 FROM c
       WHERE kind = 'dead' ORDER BY n),
     x AS (
       INSERT INTO ${q}.items (run_id, stage, id, parent_stage, parent_id, state, priority,
         available_at, input, trace_context, created_at, updated_at)
       SELECT c.run_id, x.stage, x.id, c.stage, c.id, 'pending', coalesce(x.priority, c.priority),
         coalesce(x.available_at, $1), x.input::jsonb, coalesce(x.trace_context, c.trace_context),
         $1, $1
       FROM c JOIN unnest($11::bigint[], $12::text[], $13::text[], $14::int[], $15::bigint[],
           $16::text[], $17::text[]) WITH ORDINALITY
         AS x(parent, stage, id, priority, available_at, input, trace_context, n)
         ON x.parent = c.seq AND c.kind = 'complete'
       ORDER BY x.n
       ON CONFLICT (run_id, stage, id) DO NOTHING
       RETURNING run_id, stage),
     w AS (
       SELECT run_id, stage FROM c WHERE kind IN ('retry', 'release')
       UNION SELECT run_id, stage FROM x)
     SELECT n, (SELECT count(${notifySql('$18::text', 'run_id', 'stage')}) FROM w
       WHERE $18::text IS NOT NULL) AS notified
     FROM c`;
  const name = ctx.name('commit');

  /** Applies one round (every seq at most once); returns the positions that applied. */
  const applyRound = async (
    db: Queryable,
    outcomes: readonly NormalizedOutcome[],
    seqs: readonly (number | undefined)[],
    indices: readonly number[],
    now: number,
  ): Promise<number[]> => {
    const n = indices.length;
    const seq = new Array<number>(n);
    const owner = new Array<string>(n);
    const token = new Array<string>(n);
    const kind = new Array<string>(n);
    const payload = new Array<string | null>(n).fill(null);
    const degraded = new Array<boolean | null>(n).fill(null);
    const availableAt = new Array<number | null>(n).fill(null);
    const category = new Array<string | null>(n).fill(null);
    const delayMs = new Array<number | null>(n).fill(null);
    const child = {
      parent: [] as number[],
      stage: [] as string[],
      id: [] as string[],
      priority: [] as (number | null)[],
      availableAt: [] as (number | null)[],
      input: [] as string[],
      traceContext: [] as (string | null)[],
    };
    for (let k = 0; k < n; k++) {
      const o = outcomes[indices[k]!]!;
      seq[k] = seqs[indices[k]!]!;
      owner[k] = o.lease.owner;
      token[k] = o.lease.token;
      kind[k] = o.kind;
      switch (o.kind) {
        case 'complete':
          payload[k] = o.output;
          degraded[k] = o.degraded;
          if (o.next !== null) {
            for (const item of o.next.items) {
              child.parent.push(seq[k]!);
              child.stage.push(o.next.stage);
              child.id.push(item.id);
              child.priority.push(item.priority);
              child.availableAt.push(item.availableAt);
              child.input.push(item.input);
              child.traceContext.push(item.traceContext);
            }
          }
          break;
        case 'retry':
          payload[k] = o.error;
          availableAt[k] = o.availableAt;
          category[k] = o.category;
          delayMs[k] = o.delayMs;
          break;
        case 'dead':
          payload[k] = o.error;
          category[k] = o.category;
          break;
        case 'skip':
          payload[k] = o.reason;
          break;
        case 'checkpoint':
          payload[k] = o.state;
          break;
        case 'release':
          break;
      }
    }
    const { rows } = await db.query<{ n: number }>({
      name,
      text,
      values: [
        now,
        seq,
        owner,
        token,
        kind,
        payload,
        degraded,
        availableAt,
        category,
        delayMs,
        child.parent,
        child.stage,
        child.id,
        child.priority,
        child.availableAt,
        child.input,
        child.traceContext,
        ctx.channel,
      ],
    });
    return rows.map((row) => indices[row.n - 1]!);
  };

  /** Cuts the outcomes that name a row into rounds naming each row at most once. */
  const roundsOf = (seqs: readonly (number | undefined)[]): Round[] => {
    const rounds: Round[] = [];
    const seen = new Map<number, number>();
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i];
      if (seq === undefined) continue;
      const r = seen.get(seq) ?? 0;
      seen.set(seq, r + 1);
      (rounds[r] ??= { indices: [] }).indices.push(i);
    }
    return rounds;
  };

  return {
    async commit(outcomes: readonly Outcome[], now: number): Promise<CommitResult> {
      const normalized = normalizeOutcomes(outcomes, claimed.isOwn);
      const at = requireTime(now, 'now');
      if (normalized.length === 0) return { applied: 0, fenced: [] };
      const seqs = normalized.map((o) => claimed.seqOf(o.lease));
      const foreign: number[] = [];
      for (let i = 0; i < seqs.length; i++) if (seqs[i] === undefined) foreign.push(i);
      if (foreign.length > 0) {
        const found = await resolve(
          pool,
          foreign.map((i) => normalized[i]!.lease),
        );
        foreign.forEach((i, k) => (seqs[i] = found[k]));
      }
      const rounds = roundsOf(seqs);
      const applied = new Uint8Array(normalized.length);
      let count = 0;
      const mark = (indices: number[]) => {
        for (const i of indices) applied[i] = 1;
        count += indices.length;
      };
      if (rounds.length === 1) {
        mark(await applyRound(pool, normalized, seqs, rounds[0]!.indices, at));
      } else if (rounds.length > 1) {
        await inTransaction(pool, async (client) => {
          for (const round of rounds) {
            mark(await applyRound(client, normalized, seqs, round.indices, at));
          }
        });
      }
      const stale: Lease[] = [];
      for (let i = 0; i < normalized.length; i++) {
        if (applied[i] === 0) stale.push(normalized[i]!.source);
      }
      return { applied: count, fenced: stale };
    },
  };
}
