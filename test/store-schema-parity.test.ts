import { expect, it } from 'vitest';
import { migratePostgres } from '../src/store/postgres/index.js';
import { openSqlite } from '../src/store/sqlite/index.js';
import { createTempSqlite } from '../src/testing/index.js';
import { describePostgres } from '../src/testing/vitest/index.js';

/**
 * The two backends' migrations must describe the same tables, columns and indexes, so that one
 * contract (and one contract test suite) fits both.
 */
describePostgres('store schema parity', (postgres) => {
  it('has the same tables, columns and indexes on SQLite and PostgreSQL', async () => {
    const { pool, schema } = postgres();
    await migratePostgres(pool, schema);
    const pgColumns = await pool.query<{ t: string; c: string }>(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns
       WHERE table_schema = $1 AND table_name <> 'sluice_migrations' ORDER BY 1, 2`,
      [schema],
    );
    const pgIndexes = await pool.query<{ i: string }>(
      `SELECT indexname AS i FROM pg_indexes WHERE schemaname = $1 AND indexname NOT LIKE '%_pkey'
         AND indexname NOT LIKE '%_key' ORDER BY 1`,
      [schema],
    );

    const temp = createTempSqlite();
    try {
      const db = openSqlite(temp.path);
      const tables = db
        .prepare(
          `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
           AND name <> 'sluice_migrations'`,
        )
        .pluck()
        .all() as string[];
      const sqliteColumns = tables
        .flatMap((t) =>
          (db.pragma(`table_info(${t})`) as { name: string }[]).map((col) => ({ t, c: col.name })),
        )
        .sort((a, b) => (a.t === b.t ? (a.c < b.c ? -1 : 1) : a.t < b.t ? -1 : 1));
      const sqliteIndexes = db
        .prepare(
          `SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY 1`,
        )
        .pluck()
        .all();
      db.close();
      expect(sqliteColumns.length).toBeGreaterThan(50);
      expect(pgColumns.rows).toEqual(sqliteColumns);
      expect(pgIndexes.rows.map((r) => r.i)).toEqual(sqliteIndexes);
    } finally {
      temp.cleanup();
    }
  });
});
