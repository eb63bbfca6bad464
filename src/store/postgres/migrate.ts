import type pg from 'pg';
import { InvalidConfigError, SchemaError } from '../../errors/index.js';
import { loadMigrations, type Migration } from '../migration.js';

export const postgresMigrations: readonly Migration[] = loadMigrations(
  new URL('./migrations/', import.meta.url),
);

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

export function quoteSchema(schema: string): string {
  if (!identifier.test(schema)) {
    throw new InvalidConfigError(
      'postgres.schema',
      'a lower-case SQL identifier matching /^[a-z_][a-z0-9_]{0,62}$/',
      schema,
    );
  }
  if (schema.startsWith('pg_')) {
    // PostgreSQL reserves these for its own schemas and refuses to create one.
    throw new InvalidConfigError('postgres.schema', 'a name not starting with pg_', schema);
  }
  // Quoted although the pattern admits no character that needs it: a reserved word (`user`,
  // `order`) is then a valid schema name too.
  return `"${schema}"`;
}

/**
 * Brings one PostgreSQL schema up to the newest version this Sluice knows, all in one
 * transaction under an advisory lock so concurrent workers starting together migrate once.
 * A schema holding tables but no version table, or a newer version, is refused untouched.
 */
export async function migratePostgres(
  pool: pg.Pool,
  schema: string,
  migrations: readonly Migration[] = postgresMigrations,
): Promise<number[]> {
  const quoted = quoteSchema(schema);
  const client = await pool.connect();
  const applied: number[] = [];
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sluice.migrate.${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    const tables = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1`,
      [schema],
    );
    const names = tables.rows.map((row) => row.name);
    if (names.length > 0 && !names.includes('sluice_migrations')) {
      throw new SchemaError(
        'foreign',
        `postgres schema ${schema}`,
        `holds ${names.length} tables but no sluice_migrations table: it was not created by Sluice, so it is left untouched. Choose another schema.`,
      );
    }
    await client.query(
      `CREATE TABLE IF NOT EXISTS sluice_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ current: number | null }>(
      'SELECT max(version) AS current FROM sluice_migrations',
    );
    const current = rows[0]?.current ?? 0;
    if (current > migrations.length) {
      throw new SchemaError(
        'newer',
        `postgres schema ${schema}`,
        `schema version ${current} is newer than this Sluice knows (${migrations.length}); upgrade Sluice instead of opening it with an older version.`,
      );
    }
    for (const migration of migrations.slice(current)) {
      await client.query(migration.sql);
      await client.query('INSERT INTO sluice_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    // A failed ROLLBACK (the connection died) must not hide why the migration failed, and the
    // dead connection must not go back to the pool.
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
