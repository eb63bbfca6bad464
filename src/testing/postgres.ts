import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresPool, quoteSchema } from '../store/postgres/index.js';
import { serviceUrl } from './services.js';

export interface PostgresTestSchema {
  readonly url: string;
  /** A schema no other test uses; every connection of `pool` has it as its search_path. */
  readonly schema: string;
  readonly pool: pg.Pool;
  /** Closes the pool and drops the schema with everything in it. */
  drop(): Promise<void>;
}

/** Creates an empty, uniquely named schema for one test file. */
export async function createPostgresTestSchema(
  url = serviceUrl('postgres'),
): Promise<PostgresTestSchema> {
  const schema = `sluice_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(url, `CREATE SCHEMA ${quoteSchema(schema)}`);
  const pool = createPostgresPool({ url, schema, maxConnections: 5 });
  return {
    url,
    schema,
    pool,
    drop: async () => {
      await pool.end();
      await adminQuery(url, `DROP SCHEMA IF EXISTS ${quoteSchema(schema)} CASCADE`);
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
