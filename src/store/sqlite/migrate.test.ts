import Database from 'better-sqlite3';
import {
  chmodSync,
  openSync,
  closeSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { expect, it } from 'vitest';
import { isSchemaError } from '../../errors/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import { openSqlite } from './open.js';
import { sqliteMigrations } from './migrate.js';

describeSqlite('open and migrate', (sqlite) => {
  it('migrates an empty file and round-trips a run row', () => {
    const db = openSqlite(sqlite().path);
    const versions = db.prepare('SELECT version FROM sluice_migrations ORDER BY version').all();
    expect(versions).toEqual(sqliteMigrations.map((m) => ({ version: m.version })));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.prepare(
      `INSERT INTO runs (id, pipeline, pipeline_version, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run('run-1', 'news', '1', 'running', 1, 2);
    db.close();

    const reopened = openSqlite(sqlite().path);
    expect(reopened.prepare('SELECT id, pipeline, status FROM runs').all()).toEqual([
      { id: 'run-1', pipeline: 'news', status: 'running' },
    ]);
    reopened.close();
  });

  it('refuses a database written by a newer Sluice and leaves it untouched', () => {
    const path = `${sqlite().dir}/newer.db`;
    openSqlite(path).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO sluice_migrations VALUES (999, ?, 0)').run('future');
    raw.pragma('journal_mode = DELETE'); // as a later version might leave it
    raw.close();
    const bytes = readFileSync(path);

    expect(() => openSqlite(path)).toThrow(/schema version 999 is newer/);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const check = new Database(path);
    expect(check.prepare('SELECT max(version) AS v FROM sluice_migrations').get()).toEqual({
      v: 999,
    });
    check.close();
  });

  it('refuses a database that belongs to another program', () => {
    const path = `${sqlite().dir}/foreign.db`;
    const raw = new Database(path);
    raw.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    raw.close();
    const bytes = readFileSync(path); // a rollback-journal file: WAL would rewrite its header

    let caught: unknown;
    try {
      openSqlite(path);
    } catch (error) {
      caught = error;
    }
    expect(isSchemaError(caught) && caught.code).toBe('SLUICE_SCHEMA_FOREIGN');
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const check = new Database(path);
    expect(check.prepare(`SELECT name FROM sqlite_schema`).all()).toEqual([{ name: 'customers' }]);
    check.close();
  });

  it('refuses a file that is not a database without modifying it', () => {
    const path = `${sqlite().dir}/notes.db`;
    const content = 'these are my notes, not a database\n'.repeat(200);
    writeFileSync(path, content);
    expect(() => openSqlite(path)).toThrow(/not a SQLite database or is corrupt/);
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('refuses a read-only file', () => {
    if (process.getuid?.() === 0) {
      // root bypasses file permissions; a path under a plain file cannot be created by anyone.
      const file = `${sqlite().dir}/plain-file`;
      writeFileSync(file, '');
      expect(() => openSqlite(`${file}/inside.db`)).toThrow(/cannot be opened for writing/);
      return;
    }
    const path = `${sqlite().dir}/ro.db`;
    openSqlite(path).close();
    chmodSync(path, 0o444);
    expect(() => openSqlite(path)).toThrow(/cannot be opened for writing|read-only/);
  });

  it('names the field of a bad option', () => {
    expect(() => openSqlite(sqlite().path, { durability: 'paranoid' as 'full' })).toThrow(
      'sqlite.durability must be "normal" or "full", got "paranoid"',
    );
    expect(() => openSqlite(sqlite().path, { integrityCheck: 'deep' as 'full' })).toThrow(
      'sqlite.integrityCheck must be "schema", "quick" or "full", got "deep"',
    );
  });

  /** A closed Sluice file with a few thousand items (a few hundred pages), and its page size. */
  function filled(name: string): { path: string; pageSize: number; pages: number } {
    const path = `${sqlite().dir}/${name}.db`;
    const db = openSqlite(path);
    db.prepare(
      `INSERT INTO runs (id, pipeline, pipeline_version, status, created_at, updated_at)
       VALUES ('r', 'p', '1', 'running', 1, 1)`,
    ).run();
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
      INSERT INTO items (run_id, stage, id, available_at, input, created_at, updated_at)
      SELECT 'r', 'fetch', 'item-' || i, 1, json_object('i', i, 'pad', hex(randomblob(64))), 1, 1
      FROM n`);
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close(); // checkpoints the WAL into the file and removes it
    return { path, pageSize, pages: statSync(path).size / pageSize };
  }

  function overwrite(path: string, offset: number, bytes: Buffer): void {
    const fd = openSync(path, 'r+');
    try {
      writeSync(fd, bytes, 0, bytes.length, offset);
    } finally {
      closeSync(fd);
    }
  }

  it('refuses a file whose header or schema is damaged, without reading its tables', () => {
    const header = filled('bad-header');
    overwrite(header.path, 16, Buffer.from([0x00, 0x03])); // page size 3
    expect(() => openSqlite(header.path)).toThrow(/not a SQLite database or is corrupt/);

    const schema = filled('bad-schema');
    // Page 1 holds the schema table's root, right after the 100-byte file header.
    overwrite(schema.path, 100, Buffer.alloc(200, 0xff));
    let caught: unknown;
    try {
      openSqlite(schema.path);
    } catch (error) {
      caught = error;
    }
    expect(isSchemaError(caught) && caught.code).toBe('SLUICE_SCHEMA_CORRUPT');
  });

  it('finds a damaged table page at open only when asked to check the whole file', () => {
    const file = filled('bad-page');
    expect(file.pages).toBeGreaterThan(50);
    const page = Math.floor(file.pages * 0.6); // an items page, far from the schema
    overwrite(file.path, page * file.pageSize, Buffer.alloc(file.pageSize, 0x5a));
    // The default reads the header and the schema only: this open is cheap and succeeds.
    openSqlite(file.path).close();
    for (const integrityCheck of ['quick', 'full'] as const) {
      let caught: unknown;
      try {
        openSqlite(file.path, { integrityCheck });
      } catch (error) {
        caught = error;
      }
      expect(isSchemaError(caught) && caught.code).toBe('SLUICE_SCHEMA_CORRUPT');
      expect(String(caught)).toMatch(/failed its integrity check/);
    }
  });
});
