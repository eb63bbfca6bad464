import Database from 'better-sqlite3';
import { InvalidConfigError, SchemaError } from '../../errors/index.js';
import { migrateSqlite } from './migrate.js';

export interface SqliteOpenOptions {
  /** `normal` (default) survives a process crash; `full` also survives power loss, at a cost. */
  readonly durability?: 'normal' | 'full';
  /** How long a writer waits for another process's lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) a Sluice SQLite file in WAL mode and migrates it. A file that is
 * not a database, is corrupt, is read-only or belongs to another program is refused with a
 * SchemaError and left as it was.
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
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: false, timeout: busyTimeoutMs });
  } catch (error) {
    throw refuse(path, error);
  }
  try {
    // Reading the schema first makes "file is not a database" surface before any write.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    const quickCheck = db.pragma('quick_check', { simple: true });
    if (quickCheck !== 'ok') {
      throw new SchemaError('corrupt', path, `failed its integrity check (${String(quickCheck)})`);
    }
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
