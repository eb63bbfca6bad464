import Database from 'better-sqlite3';
import { InvalidConfigError, SchemaError } from '../../errors/index.js';
import { migrateSqlite, refuseForeignOrNewer } from './migrate.js';

export interface SqliteOpenOptions {
  /** `normal` (default) survives a process crash; `full` also survives power loss, at a cost. */
  readonly durability?: 'normal' | 'full';
  /** How long a writer waits for another process's lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * What to check before using the file (see openSqlite). `schema` (default) reads the header and
   * the schema: milliseconds, whatever the file's size. `quick` also runs `PRAGMA quick_check`
   * and `full` runs `PRAGMA integrity_check` (which also checks every index against its table):
   * both read the whole file (about 2 s per million items), for a doctor or a suspect disk.
   */
  readonly integrityCheck?: IntegrityCheck;
}

export type IntegrityCheck = 'schema' | 'quick' | 'full';

const integrityChecks: readonly IntegrityCheck[] = ['schema', 'quick', 'full'];

/**
 * Opens (creating if needed) a Sluice SQLite file in WAL mode and migrates it. A file that is
 * not a database, is read-only or belongs to another program, or whose header or schema is
 * corrupt, is refused with a SchemaError and left as it was.
 *
 * By default the pages of the tables are not read at open: SQLite's journal keeps the file
 * consistent across crashes and power loss (WAL; with `durability: 'normal'` a power loss may
 * lose the last commits, never corrupt the file), so what a whole-file check can still find is
 * damage from outside (a failing disk, a copy of a file in use, another program writing it),
 * which an unclean shutdown does not make likelier. Such damage surfaces later, as an
 * SQLITE_CORRUPT error of the statement that reads the damaged page; `integrityCheck: 'quick'`
 * or `'full'` looks for it up front instead, at the cost of reading the whole file (quick_check
 * used to run on every open: 2.1 s per open at 1M items).
 */
export function openSqlite(path: string, options: SqliteOpenOptions = {}): Database.Database {
  const durability = options.durability ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') {
    throw new InvalidConfigError('sqlite.durability', '"normal" or "full"', durability);
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new InvalidConfigError('sqlite.busyTimeoutMs', 'an integer >= 0', busyTimeoutMs);
  }
  const integrityCheck = options.integrityCheck ?? 'schema';
  if (!integrityChecks.includes(integrityCheck)) {
    throw new InvalidConfigError(
      'sqlite.integrityCheck',
      '"schema", "quick" or "full"',
      integrityCheck,
    );
  }
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: false, timeout: busyTimeoutMs });
  } catch (error) {
    throw refuse(path, error);
  }
  try {
    // Reading the header and the whole schema first makes "file is not a database" and a
    // damaged header or schema surface before any write (SQLITE_NOTADB, SQLITE_CORRUPT).
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    if (integrityCheck !== 'schema') {
      const pragma = integrityCheck === 'full' ? 'integrity_check' : 'quick_check';
      const result = db.pragma(pragma, { simple: true });
      if (result !== 'ok') {
        throw new SchemaError('corrupt', path, `failed its integrity check (${String(result)})`);
      }
    }
    refuseForeignOrNewer(db); // before the first write: the journal pragma rewrites the header
    if (db.readonly) throw new SchemaError('read_only', path, 'is opened read-only');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    migrateSqlite(db);
    return db;
  } catch (error) {
    db.close();
    throw refuse(path, error);
  }
}

function refuse(path: string, error: unknown): Error {
  if (error instanceof SchemaError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new SchemaError('corrupt', path, 'is not a SQLite database or is corrupt', {
      cause: error,
    });
  }
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new SchemaError('read_only', path, `cannot be opened for writing (${code})`, {
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}
