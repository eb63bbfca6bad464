import pg from 'pg';
import { afterAll, afterEach, expect, it } from 'vitest';
import { describePostgres } from '../../testing/vitest/index.js';
import { sharedBackendContract } from '../shared-backend.contract.js';
import { SharedStateLink } from '../shared-state-link.js';
import { PostgresCoordination } from './postgres-coordination.js';

describePostgres('postgres coordination', (postgres) => {
  const opened: { pool: pg.Pool; link: SharedStateLink; backend: PostgresCoordination }[] = [];
  // Its own schema (the store's test schema is the search path; coordination names its own).
  const schema = () => `${postgres().schema}_coord`;
  async function member(): Promise<{ link: SharedStateLink; backend: PostgresCoordination }> {
    const pool = new pg.Pool({ connectionString: postgres().url, max: 4 });
    const backend = new PostgresCoordination({ pool, schema: schema() });
    await backend.install();
    const link = new SharedStateLink({ backend });
    opened.push({ pool, link, backend });
    return { link, backend };
  }
  afterEach(async () => {
    for (const { pool, link, backend } of opened.splice(0)) {
      link.close();
      await backend.close();
      await pool.end();
    }
  });
  afterAll(async () => {
    const pool = new pg.Pool({ connectionString: postgres().url, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema()}" CASCADE`);
    await pool.end();
  });

  sharedBackendContract(member);

  it('refuses a schema or channel that is not a plain identifier, naming the field', () => {
    const pool = new pg.Pool({ connectionString: postgres().url });
    expect(() => new PostgresCoordination({ pool, schema: 'a"; DROP TABLE x; --' })).toThrow(
      /coordination.schema must be a lower-case SQL identifier/,
    );
    expect(() => new PostgresCoordination({ pool, channel: 'a.b' })).toThrow(
      /coordination.channel must be/,
    );
    void pool.end();
  });
});
