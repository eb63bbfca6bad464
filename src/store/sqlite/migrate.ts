import type Database from 'better-sqlite3';
import { SchemaError } from '../../errors/index.js';
import { loadMigrations, type Migration } from '../migration.js';

export const sqliteMigrations: readonly Migration[] = loadMigrations(
  new URL('./migrations/', import.meta.url),
);

const versionTable = 'sluice_migrations';

/**
 * Brings a SQLite database up to the newest schema this version knows. An empty database is
 * initialised; a database with tables but no version table belongs to another program, and a
 * database whose version is newer than ours was written by a later Sluice: both are refused
 * without touching them. Returns the versions applied.
 */
export function migrateSqlite(
  db: Database.Database,
  migrations: readonly Migration[] = sqliteMigrations,
): number[] {
  refuseForeignOrNewer(db, migrations);
  const applied: number[] = [];
  const location = db.name;
  const migrate = db.transaction(() => {
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${versionTable} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`,
    );
    const row = db.prepare(`SELECT max(version) AS current FROM ${versionTable}`).get() as {
      current: number | null;
    };
    const current = row.current ?? 0;
    const newest = migrations.length;
    if (current > newest) {
      throw new SchemaError(
        'newer',
        location,
        `schema version ${current} is newer than this Sluice knows (${newest}); upgrade Sluice instead of opening it with an older version.`,
      );
    }
    const record = db.prepare(
      `INSERT INTO ${versionTable} (version, name, applied_at) VALUES (?, ?, ?)`,
    );
    for (const migration of migrations.slice(current)) {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
      applied.push(migration.version);
    }
  });
  // IMMEDIATE takes the write lock up front so two processes opening the same new file migrate
  // one after the other instead of failing half-way.
  migrate.immediate();
  return applied;
}

/**
 * Refuses a database of another program or of a newer Sluice, reading only: openSqlite calls it
 * before anything that writes, even a pragma (switching the journal to WAL rewrites the header),
 * and migrateSqlite again inside its transaction for a file changed in between.
 */
export function refuseForeignOrNewer(
  db: Database.Database,
  migrations: readonly Migration[] = sqliteMigrations,
): void {
  const location = db.name;
  const hasVersionTable =
    db
      .prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`)
      .get(versionTable) !== undefined;
  if (!hasVersionTable) {
    const { n } = db
      .prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'`)
      .get() as { n: number };
    if (n > 0) {
      throw new SchemaError(
        'foreign',
        location,
        `holds ${n} tables or indexes but no ${versionTable} table: it was not created by Sluice, so it is left untouched. Point Sluice at a new file.`,
      );
    }
    return;
  }
  const { current } = db.prepare(`SELECT max(version) AS current FROM ${versionTable}`).get() as {
    current: number | null;
  };
  if ((current ?? 0) > migrations.length) {
    throw new SchemaError(
      'newer',
      location,
      `schema version ${current} is newer than this Sluice knows (${migrations.length}); upgrade Sluice instead of opening it with an older version.`,
    );
  }
}
