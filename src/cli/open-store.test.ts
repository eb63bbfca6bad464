import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { isSchemaError, isSluiceError } from '../errors/index.js';
import { migrateSqlite, openSqlite, sqliteMigrations } from '../store/index.js';
import { describeSqlite } from '../testing/vitest/index.js';
import { runCli } from '../../test/support/cli-harness.js';
import { openExistingStore } from './open-store.js';

/** Every verb that works on an existing database, with the arguments it needs. */
const verbs: readonly (readonly string[])[] = [
  ['runs'],
  ['status'],
  ['summary'],
  ['items'],
  ['dlq', 'list'],
  ['dlq', 'retry'],
  ['retry-failed'],
  ['cancel', 'some-run'],
];

const codeOf = async (path: string) =>
  openExistingStore(path).then(
    async (store) => {
      await store.close();
      return 'opened';
    },
    (error: unknown) => (isSluiceError(error) ? error.code : error),
  );

describeSqlite('opening the database of an operator verb', (sqlite) => {
  it.each(verbs)(
    '%s refuses a missing file, naming --db and the path, and creates nothing',
    async (...args) => {
      const path = `${sqlite().dir}/missing.db`;
      const { error, stdout } = await runCli([...args, '--db', path]);
      expect(isSluiceError(error) && error.code).toBe('SLUICE_NO_DATABASE');
      expect((error as Error).message).toBe(
        `no Sluice database at ${path}; run \`sluice migrate --db ${path}\` or a pipeline first (--db or SLUICE_DB picks the file)`,
      );
      expect(stdout).toBe('');
      expect(existsSync(path)).toBe(false);
    },
  );

  it('refuses an empty file (an empty SQLite database) and leaves it empty', async () => {
    const path = `${sqlite().dir}/empty.db`;
    writeFileSync(path, '');
    expect(await codeOf(path)).toBe('SLUICE_NO_DATABASE');
    expect(readFileSync(path).length).toBe(0);
  });

  it('refuses a directory as --db', async () => {
    expect(await codeOf(sqlite().dir)).toBe('SLUICE_NO_DATABASE');
  });

  it('refuses an older schema without migrating it, and says to run migrate', async () => {
    const path = `${sqlite().dir}/older.db`;
    const raw = new Database(path);
    migrateSqlite(raw, sqliteMigrations.slice(0, 2));
    raw.close();
    const error = await openExistingStore(path).catch((e: unknown) => e);
    expect(isSluiceError(error) && error.code).toBe('SLUICE_SCHEMA_OUTDATED');
    expect((error as Error).message).toContain(`sluice migrate --db ${path}`);
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT max(version) FROM sluice_migrations').pluck().get()).toBe(2);
    check.close();
  });

  it("gives the store's SchemaError for a foreign file and leaves it byte for byte", async () => {
    const path = `${sqlite().dir}/foreign.db`;
    const raw = new Database(path);
    raw.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    raw.close();
    const before = readFileSync(path);
    const error = await openExistingStore(path).catch((e: unknown) => e);
    expect(isSchemaError(error) && error.code).toBe('SLUICE_SCHEMA_FOREIGN');
    expect((error as Error).message).toMatch(
      /no sluice_migrations table: it was not created by Sluice/,
    );
    // Opening a store would have switched it to WAL; the read-only check does not.
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("gives the store's SchemaError for a newer schema", async () => {
    const path = `${sqlite().dir}/newer.db`;
    openSqlite(path).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO sluice_migrations VALUES (999, ?, 0)').run('future');
    raw.close();
    const error = await openExistingStore(path).catch((e: unknown) => e);
    expect(isSchemaError(error) && error.code).toBe('SLUICE_SCHEMA_NEWER');
    expect((error as Error).message).toMatch(/schema version 999 is newer/);
  });

  it("gives the store's SchemaError for a file that is not a database, and leaves it", async () => {
    const path = `${sqlite().dir}/notes.db`;
    const content = 'these are my notes, not a database\n'.repeat(200);
    writeFileSync(path, content);
    const error = await openExistingStore(path).catch((e: unknown) => e);
    expect(isSchemaError(error) && error.code).toBe('SLUICE_SCHEMA_CORRUPT');
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('opens a database at the current schema', async () => {
    const path = `${sqlite().dir}/current.db`;
    openSqlite(path).close();
    expect(await codeOf(path)).toBe('opened');
  });
});
