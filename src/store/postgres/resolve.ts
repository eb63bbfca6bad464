import type { ItemRef } from '../records.js';
import type { PgContext, Queryable } from './sql.js';

/**
 * The seq (primary key) of each item named by (run, stage, ID), or undefined where there is no
 * such item: how a lease the store did not hand out itself (built by hand, spread, another
 * store's) is brought to the same seq-keyed, owner- and token-fenced statements as its own. A
 * row's seq never changes, so looking it up outside the write's transaction is safe: the write
 * still checks state, owner and token.
 */
export function prepareResolve(ctx: PgContext) {
  const text = `SELECT u.n, i.seq FROM unnest($1::text[], $2::text[], $3::text[])
       WITH ORDINALITY AS u(run_id, stage, id, n)
     JOIN ${ctx.q}.items AS i ON i.run_id = u.run_id AND i.stage = u.stage AND i.id = u.id`;
  const name = ctx.name('resolve_seqs');
  return async (db: Queryable, refs: readonly ItemRef[]): Promise<(number | undefined)[]> => {
    const seqs = new Array<number | undefined>(refs.length).fill(undefined);
    if (refs.length === 0) return seqs;
    const { rows } = await db.query<{ n: number; seq: number }>({
      name,
      text,
      values: [refs.map((r) => r.runId), refs.map((r) => r.stage), refs.map((r) => r.id)],
    });
    for (const row of rows) seqs[row.n - 1] = row.seq;
    return seqs;
  };
}
