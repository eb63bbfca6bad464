import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { isSchemaError } from '../../errors/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import { cacheIndexContract } from '../cache-index.contract.js';
import { createSqliteCacheIndex } from './cache-index.js';
import { migrateSqlite, sqliteMigrations } from './migrate.js';
import { createSqliteStore } from './sqlite-store.js';

describeSqlite('sqlite cache index', (sqlite) => {
  cacheIndexContract('sqlite', (cache) => createSqliteCacheIndex({ path: sqlite().path, cache }));

  /** A database as Sluice 0.1 left it: schema 5, no cache_entries table. */
  const schema5 = (name: string) => {
    const path = `${sqlite().dir}/${name}`;
    const db = new Database(path);
    migrateSqlite(db, sqliteMigrations.slice(0, 5));
    db.close();
    return path;
  };
  const version = (path: string) => {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare('SELECT max(version) FROM sluice_migrations').pluck().get();
    } finally {
      db.close();
    }
  };

  it('shares the store database file, each on its own connection', async () => {
    const path = `${sqlite().dir}/shared.db`;
    const store = await createSqliteStore({ path });
    const index = await createSqliteCacheIndex({ path, cache: 'images' });
    await store.createRun({ id: 'r', pipeline: 'p', pipelineVersion: '1' }, 1);
    await index.put({ key: 'a'.repeat(64), url: 'u', contentHash: 'b'.repeat(64), size: 1 }, 1);
    expect((await store.getRun('r'))?.id).toBe('r');
    expect((await index.stats(1)).entries).toBe(1);
    await index.close();
    await store.close();
  });

  it('migrates a schema-5 database on open, by path or by handle', async () => {
    const byPath = schema5('old-path.db');
    expect(version(byPath)).toBe(5);
    await (await createSqliteCacheIndex({ path: byPath })).close();
    expect(version(byPath)).toBe(sqliteMigrations.length);

    const byHandle = schema5('old-handle.db');
    const db = new Database(byHandle);
    const index = await createSqliteCacheIndex({ db });
    expect((await index.stats(0)).entries).toBe(0);
    await index.close();
    expect(db.open).toBe(true); // the caller's handle stays open
    db.close();
    expect(version(byHandle)).toBe(sqliteMigrations.length);
  });

  it('refuses a read-only handle at schema 5, saying to run sluice migrate', async () => {
    const path = schema5('old-readonly.db');
    const db = new Database(path, { readonly: true });
    const error: unknown = await createSqliteCacheIndex({ db }).catch((e: unknown) => e);
    db.close();
    expect(isSchemaError(error) && error.code).toBe('SLUICE_SCHEMA_READ_ONLY');
    expect((error as Error).message).toBe(
      `${path}: is opened read-only and its schema predates the cache index; run \`sluice migrate --db <path>\` first`,
    );
    expect(version(path)).toBe(5);
  });

  it("refuses another program's database untouched", async () => {
    const path = `${sqlite().dir}/foreign.db`;
    const db = new Database(path);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY)');
    db.close();
    const error: unknown = await createSqliteCacheIndex({ path }).catch((e: unknown) => e);
    expect(isSchemaError(error) && error.code).toBe('SLUICE_SCHEMA_FOREIGN');
  });

  it('reads entries oldest access first through the lru index, with no sort', () => {
    const db = new Database(sqlite().path);
    const detail = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT key FROM cache_entries WHERE cache = 'c' AND last_access_at < 5
         ORDER BY last_access_at, key LIMIT 10`,
      )
      .all()
      .map((row) => (row as { detail: string }).detail)
      .join('\n');
    db.close();
    expect(detail).toMatch(/cache_entries_lru/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });
});
