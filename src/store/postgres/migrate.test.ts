import { expect, it } from 'vitest';
import { isSchemaError } from '../../errors/index.js';
import { describePostgres } from '../../testing/vitest/index.js';
import { migratePostgres, postgresMigrations } from './migrate.js';

describePostgres('migrate', (postgres) => {
  it('migrates an empty schema and round-trips a run row', async () => {
    const { pool, schema } = postgres();
    expect(await migratePostgres(pool, schema)).toEqual(postgresMigrations.map((m) => m.version));
    await pool.query(
      `INSERT INTO runs (id, pipeline, pipeline_version, status, options, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      ['run-1', 'news', '1', 'running', { limit: 5 }, 1_000],
    );
    const { rows } = await pool.query('SELECT id, pipeline, status, options FROM runs');
    expect(rows).toEqual([
      { id: 'run-1', pipeline: 'news', status: 'running', options: { limit: 5 } },
    ]);
    // The table lives in the test's own schema, not in public.
    const where = await pool.query<{ table_schema: string }>(
      `SELECT table_schema FROM information_schema.tables WHERE table_name = 'runs' AND table_schema = $1`,
      [schema],
    );
    expect(where.rows).toHaveLength(1);
  });

  it('is idempotent and safe when workers migrate concurrently', async () => {
    const { pool, schema } = postgres();
    const results = await Promise.all([1, 2, 3].map(() => migratePostgres(pool, schema)));
    expect(results.flat()).toEqual([]);
  });

  it('refuses a newer schema version without touching it', async () => {
    const { pool, schema } = postgres();
    await pool.query(`INSERT INTO sluice_migrations (version, name) VALUES (999, 'future')`);
    await expect(migratePostgres(pool, schema)).rejects.toThrow(/schema version 999 is newer/);
    await pool.query('DELETE FROM sluice_migrations WHERE version = 999');
  });

  it('refuses a schema that belongs to another program', async () => {
    const { pool } = postgres();
    await pool.query('CREATE SCHEMA foreign_app_probe_' + process.pid);
    const schema = `foreign_app_probe_${process.pid}`;
    try {
      await pool.query(`CREATE TABLE ${schema}.customers (id int)`);
      const error: unknown = await migratePostgres(pool, schema).catch((e: unknown) => e);
      expect(isSchemaError(error) && error.code).toBe('SLUICE_SCHEMA_FOREIGN');
      const left = await pool.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
        [schema],
      );
      expect(left.rows).toEqual([{ table_name: 'customers' }]);
    } finally {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it('names the field of a bad schema name', async () => {
    const { pool } = postgres();
    await expect(migratePostgres(pool, 'Robert"; DROP TABLE runs')).rejects.toThrow(
      /postgres\.schema must be a lower-case SQL identifier/,
    );
  });
});
