import pg from 'pg';
import { quoteSchema } from './migrate.js';

export interface PostgresConnectOptions {
  readonly url: string;
  /** The schema every Sluice table lives in. Default `sluice`. */
  readonly schema?: string;
  readonly maxConnections?: number;
}

/** A pool whose every connection uses the Sluice schema as its search_path. */
export function createPostgresPool(options: PostgresConnectOptions): pg.Pool {
  const schema = options.schema ?? 'sluice';
  const quoted = quoteSchema(schema);
  return new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    options: `-c search_path=${quoted}`,
  });
}
