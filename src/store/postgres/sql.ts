import type pg from 'pg';
import { InvalidConfigError } from '../../errors/index.js';
import { itemEvents, type ItemEvent } from '../item-state.js';
import { storeTypes } from './pool.js';

/**
 * Small SQL helpers of the PostgreSQL backend. Every statement names its tables with the schema
 * (`"sluice".items`), so a store works on a pool it did not create (whose search_path it does
 * not control) and through a pooler. State lists are generated from the item state machine
 * (constants, never user input), so each update's `WHERE state IN (...)` is the machine's own.
 */
export function fromStates(event: ItemEvent): string {
  return `(${itemEvents[event].from.map((s) => `'${s}'`).join(', ')})`;
}

export function toState(event: ItemEvent): string {
  return `'${itemEvents[event].to}'`;
}

/** Clears the lease columns, as every transition out of `leased` must. */
export const clearLease = 'lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL';

/** A pool or one of its connections, through `typed`: what a statement runs on. */
export interface Queryable {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string | pg.QueryConfig,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

export interface Db extends Queryable {
  connect(): Promise<Queryable & { release(error?: Error): void }>;
}

/**
 * The pool with the store's type parsers on every query (BIGINT as numbers, JSON as text: see
 * pool.ts), so they apply on a pool the caller made as well as on the store's own.
 */
export function typed(pool: pg.Pool): Db {
  const on =
    (target: pg.Pool | pg.PoolClient) =>
    <R extends pg.QueryResultRow>(text: string | pg.QueryConfig, values?: unknown[]) =>
      target.query<R>(
        typeof text === 'string'
          ? { text, values, types: storeTypes }
          : { ...text, types: storeTypes },
      );
  return {
    query: on(pool),
    async connect() {
      const client = await pool.connect();
      return { query: on(client), release: (error?: Error) => client.release(error) };
    },
  };
}

/** What each per-concern module is prepared with. */
export interface PgContext {
  readonly pool: Db;
  /** The quoted schema, e.g. `"sluice"`: prefix of every table name. */
  readonly q: string;
  /** A statement name unique to this schema (pg prepares a named statement once per connection). */
  name(statement: string): string;
  /** The NOTIFY channel of items becoming claimable, or null when notifications are off. */
  readonly channel: string | null;
}

/** Runs `body` in one transaction on one connection; a broken connection is not reused. */
export async function inTransaction<T>(
  pool: Db,
  body: (client: Queryable) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollback) {
      broken = rollback instanceof Error ? rollback : new Error(String(rollback));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Refuses a run ID that does not exist, naming the field. */
export function runChecker(
  ctx: PgContext,
): (db: Queryable, runId: string, field?: string) => Promise<void> {
  const text = `SELECT 1 FROM ${ctx.q}.runs WHERE id = $1`;
  const name = ctx.name('run_exists');
  return async (db, runId, field = 'runId') => {
    const { rowCount } = await db.query({ name, text, values: [runId] });
    if (rowCount === 0) throw new InvalidConfigError(field, 'the ID of an existing run', runId);
  };
}
