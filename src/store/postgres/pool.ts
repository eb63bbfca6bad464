import pg from 'pg';
import { quoteSchema } from './migrate.js';

export interface PostgresConnectOptions {
  readonly url: string;
  /** The schema every Sluice table lives in. Default `sluice`. */
  readonly schema?: string;
  /** Default 10. */
  readonly maxConnections?: number;
  /** `application_name` of every connection (pg_stat_activity). Default `sluice`. */
  readonly applicationName?: string;
  /** `statement_timeout` of every connection, in ms; 0 (the default) means none. */
  readonly statementTimeoutMs?: number;
}

/**
 * How the store reads values (given per query, so a pool's other users keep pg's defaults): BIGINT (ms timestamps, counts) as numbers, and JSON/JSONB as
 * their text, parsed by the store, so that SQL NULL (no payload: undefined) stays apart from
 * JSON `null` (a value), exactly as on SQLite.
 */
const int8 = 20;
const json = 114;
const jsonb = 3802;
const asText = (text: string): string => text;

export const storeTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === int8) return Number;
    if (oid === jsonb || oid === json) return asText;
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * A pool whose every connection uses the Sluice schema as its search_path, with the given
 * application_name and statement_timeout set at connection start-up. An idle connection that
 * dies (a server restart, pg_terminate_backend) is dropped from the pool, not thrown.
 */
export function createPostgresPool(options: PostgresConnectOptions): pg.Pool {
  const schema = options.schema ?? 'sluice';
  const quoted = quoteSchema(schema);
  const timeout = options.statementTimeoutMs ?? 0;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'sluice',
    options: `-c search_path=${quoted} -c statement_timeout=${timeout}`,
  });
  pool.on('error', () => {
    // An idle client's connection failed; the pool has already discarded it, and the next
    // query opens a new one. Without a listener, pg would crash the process.
  });
  return pool;
}
