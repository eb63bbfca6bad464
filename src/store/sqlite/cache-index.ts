import type Database from 'better-sqlite3';
import { SchemaError, StoreClosedError } from '../../errors/index.js';
import {
  checkCacheName,
  checkKey,
  checkKeys,
  checkListQuery,
  checkNewEntry,
  type CacheEntry,
  type CacheIndex,
  type CacheListQuery,
  type CheckedEntry,
  type DeleteResult,
  type OrphanedContent,
} from '../cache-index.js';
import { requireTime } from '../validate.js';
import { migrateSqlite } from './migrate.js';
import { openSqlite, type SqliteOpenOptions } from './open.js';

export type SqliteCacheIndexOptions = SqliteOpenOptions & {
  /** The cache this index serves; default `default`. */
  readonly cache?: string;
} & (
    | {
        /** The Sluice database file (the store's), opened, created and migrated like the store's. */
        readonly path: string;
        readonly db?: undefined;
      }
    | {
        /** A connection already open (e.g. from openSqlite); migrated if older, never closed here. */
        readonly db: Database.Database;
        readonly path?: undefined;
      }
  );

interface EntryRow {
  key: string;
  url: string;
  content_hash: string;
  size: number;
  content_type: string | null;
  created_at: number;
  last_access_at: number;
  pins: number;
  pinned_until: number;
}

const columns =
  'key, url, content_hash, size, content_type, created_at, last_access_at, pins, pinned_until';
// The pin condition, negated: an entry is in use while pins > 0 AND pinned_until > now.
const unpinned = '(pins = 0 OR pinned_until <= @unpinnedAt)';

/**
 * The CacheIndex on SQLite, in the same database file as the store (table `cache_entries`,
 * migration 0006). A database at an older schema is migrated on open, as the store's own open
 * does; a foreign, newer, corrupt or read-only one is refused with the store's SchemaError.
 */
export function createSqliteCacheIndex(options: SqliteCacheIndexOptions): Promise<CacheIndex> {
  try {
    const cache = checkCacheName(options.cache ?? 'default');
    let db: Database.Database;
    let owned: boolean;
    if (options.db !== undefined) {
      db = options.db;
      owned = false;
      migrateHandle(db);
    } else {
      db = openSqlite(options.path, options);
      owned = true;
    }
    return Promise.resolve(new SqliteCacheIndex(db, owned, cache));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function migrateHandle(db: Database.Database): void {
  try {
    migrateSqlite(db);
  } catch (error) {
    if (error instanceof SchemaError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_READONLY') {
      throw new SchemaError(
        'read_only',
        db.name,
        'is opened read-only and its schema predates the cache index; run `sluice migrate --db <path>` first',
        { cause: error },
      );
    }
    throw error;
  }
}

type Ops = ReturnType<typeof prepare>;

function prepare(db: Database.Database, cache: string) {
  const get = db.prepare<{ cache: string; key: string }, EntryRow>(
    `SELECT ${columns} FROM cache_entries WHERE cache = @cache AND key = @key`,
  );
  const referenced = db
    .prepare<{ cache: string; hash: string }, number>(
      'SELECT 1 FROM cache_entries WHERE cache = @cache AND content_hash = @hash LIMIT 1',
    )
    .pluck();
  const upsert = db.prepare(
    `INSERT INTO cache_entries (cache, key, url, content_hash, size, content_type, created_at, last_access_at)
     VALUES (@cache, @key, @url, @contentHash, @size, @contentType, @now, @now)
     ON CONFLICT (cache, key) DO UPDATE SET url = excluded.url, content_hash = excluded.content_hash,
       size = excluded.size, content_type = excluded.content_type, created_at = excluded.created_at,
       last_access_at = excluded.last_access_at`,
  );
  const touch = db.prepare(
    'UPDATE cache_entries SET last_access_at = @now WHERE cache = @cache AND key = @key',
  );
  const pin = db.prepare<{ cache: string; key: string; until: number; now: number }, EntryRow>(
    `UPDATE cache_entries SET pins = pins + 1, pinned_until = max(pinned_until, @until),
       last_access_at = @now WHERE cache = @cache AND key = @key RETURNING ${columns}`,
  );
  const renew = db.prepare(
    `UPDATE cache_entries SET pinned_until = max(pinned_until, @until)
     WHERE cache = @cache AND pins > 0 AND key IN (SELECT value FROM json_each(@keys))`,
  );
  const unpin = db.prepare(
    'UPDATE cache_entries SET pins = max(pins - 1, 0) WHERE cache = @cache AND key = @key',
  );
  const deleteAll = db.prepare<{ cache: string; keys: string }, EntryRow>(
    `DELETE FROM cache_entries WHERE cache = @cache AND key IN (SELECT value FROM json_each(@keys))
     RETURNING ${columns}`,
  );
  const deleteUnpinned = db.prepare<{ cache: string; keys: string; unpinnedAt: number }, EntryRow>(
    `DELETE FROM cache_entries WHERE cache = @cache AND key IN (SELECT value FROM json_each(@keys))
       AND ${unpinned} RETURNING ${columns}`,
  );
  const unreferenced = db
    .prepare<{ cache: string; hashes: string }, string>(
      `SELECT value FROM json_each(@hashes) WHERE NOT EXISTS
         (SELECT 1 FROM cache_entries WHERE cache = @cache AND content_hash = json_each.value)`,
    )
    .pluck();
  const counts = db.prepare<
    { cache: string; now: number },
    { entries: number; pinned: number | null; oldest: number | null; newest: number | null }
  >(
    `SELECT count(*) AS entries, sum(pins > 0 AND pinned_until > @now) AS pinned,
       min(last_access_at) AS oldest, max(last_access_at) AS newest
     FROM cache_entries WHERE cache = @cache`,
  );
  const files = db.prepare<{ cache: string }, { files: number; bytes: number | null }>(
    `SELECT count(*) AS files, sum(size) AS bytes FROM
       (SELECT max(size) AS size FROM cache_entries WHERE cache = @cache GROUP BY content_hash)`,
  );
  const lists = new Map<string, Database.Statement<Record<string, unknown>, EntryRow>>();
  const listStatement = (sql: string) => {
    let statement = lists.get(sql);
    if (statement === undefined) {
      statement = db.prepare<Record<string, unknown>, EntryRow>(sql);
      lists.set(sql, statement);
    }
    return statement;
  };

  const orphansOf = (deleted: readonly EntryRow[]): OrphanedContent[] => {
    const sizes = new Map(deleted.map((row) => [row.content_hash, row.size]));
    if (sizes.size === 0) return [];
    const gone = unreferenced.all({ cache, hashes: JSON.stringify([...sizes.keys()]) });
    return gone.map((contentHash) => ({ contentHash, size: sizes.get(contentHash)! }));
  };

  const put = db.transaction((entry: CheckedEntry) => {
    const previous = get.get({ cache, key: entry.key });
    const newContent =
      previous?.content_hash !== entry.contentHash &&
      referenced.get({ cache, hash: entry.contentHash }) === undefined;
    upsert.run({ cache, ...entry });
    const orphaned =
      previous !== undefined && previous.content_hash !== entry.contentHash
        ? orphansOf([previous])
        : [];
    return { newContent, orphaned };
  });

  class Rollback extends Error {
    constructor(readonly result: DeleteResult) {
      super('dry run');
    }
  }
  const remove = db.transaction(
    (keys: string, unpinnedAt: number | undefined, dryRun: boolean): DeleteResult => {
      const rows =
        unpinnedAt === undefined
          ? deleteAll.all({ cache, keys })
          : deleteUnpinned.all({ cache, keys, unpinnedAt });
      const result = { deleted: rows.map(toEntry), orphaned: orphansOf(rows) };
      if (dryRun) throw new Rollback(result);
      return result;
    },
  );

  return {
    put: (entry: CheckedEntry) => put.immediate(entry),
    get: (key: string) => {
      const row = get.get({ cache, key });
      return row === undefined ? undefined : toEntry(row);
    },
    touch: (key: string, now: number) => touch.run({ cache, key, now }).changes > 0,
    pin: (key: string, until: number, now: number) => {
      const row = pin.get({ cache, key, until, now });
      return row === undefined ? undefined : toEntry(row);
    },
    renewPins: (keys: readonly string[], until: number) => {
      renew.run({ cache, keys: JSON.stringify(keys), until });
    },
    unpin: (key: string) => {
      unpin.run({ cache, key });
    },
    list: (query: CacheListQuery | undefined) => {
      const q = checkListQuery(query);
      const where = ['cache = @cache'];
      if (q.accessedBefore !== undefined) where.push('last_access_at < @accessedBefore');
      if (q.unpinnedAt !== undefined) where.push(unpinned);
      if (q.after !== undefined) {
        where.push(
          q.order === 'key'
            ? 'key > @afterKey'
            : '(last_access_at, key) > (@afterAccess, @afterKey)',
        );
      }
      const orderBy = q.order === 'key' ? 'key' : 'last_access_at, key';
      const statement = listStatement(
        `SELECT ${columns} FROM cache_entries WHERE ${where.join(' AND ')} ORDER BY ${orderBy} LIMIT @limit`,
      );
      const params: Record<string, unknown> = { cache, limit: q.limit };
      if (q.accessedBefore !== undefined) params.accessedBefore = q.accessedBefore;
      if (q.unpinnedAt !== undefined) params.unpinnedAt = q.unpinnedAt;
      if (q.after !== undefined) {
        params.afterKey = q.after.key;
        if (q.order === 'lru') params.afterAccess = q.after.lastAccessAt;
      }
      return statement.all(params).map(toEntry);
    },
    delete: (keys: readonly string[], unpinnedAt: number | undefined, dryRun: boolean) => {
      try {
        return remove.immediate(JSON.stringify(keys), unpinnedAt, dryRun);
      } catch (error) {
        if (error instanceof Rollback) return error.result;
        throw error;
      }
    },
    stats: (now: number) => {
      const c = counts.get({ cache, now })!;
      const f = files.get({ cache })!;
      return {
        entries: c.entries,
        files: f.files,
        bytes: f.bytes ?? 0,
        pinned: c.pinned ?? 0,
        oldestAccessAt: c.oldest,
        newestAccessAt: c.newest,
      };
    },
  };
}

function toEntry(row: EntryRow): CacheEntry {
  return Object.freeze({
    key: row.key,
    url: row.url,
    contentHash: row.content_hash,
    size: row.size,
    contentType: row.content_type,
    createdAt: row.created_at,
    lastAccessAt: row.last_access_at,
    pins: row.pins,
    pinnedUntil: row.pinned_until,
  });
}

class SqliteCacheIndex implements CacheIndex {
  readonly backend = 'sqlite';
  #db: Database.Database | undefined;
  #ops: Ops | undefined;

  constructor(
    db: Database.Database,
    readonly owned: boolean,
    readonly cache: string,
  ) {
    this.#db = db;
    this.#ops = prepare(db, cache);
  }

  /** Runs one synchronous operation, turning a throw into a rejection as an async method would. */
  #call<T>(method: string, operation: (ops: Ops) => T): Promise<T> {
    try {
      if (this.#ops === undefined) throw new StoreClosedError('sqlite cache index', method);
      return Promise.resolve(operation(this.#ops));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  put: CacheIndex['put'] = (entry, now) =>
    this.#call('put', (ops) => ops.put(checkNewEntry(entry, now)));
  get: CacheIndex['get'] = (key) => this.#call('get', (ops) => ops.get(checkKey(key)));
  touch: CacheIndex['touch'] = (key, now) =>
    this.#call('touch', (ops) => ops.touch(checkKey(key), requireTime(now, 'now')));
  pin: CacheIndex['pin'] = (key, until, now) =>
    this.#call('pin', (ops) =>
      ops.pin(checkKey(key), requireTime(until, 'until'), requireTime(now, 'now')),
    );
  renewPins: CacheIndex['renewPins'] = (keys, until) =>
    this.#call('renewPins', (ops) => ops.renewPins(checkKeys(keys), requireTime(until, 'until')));
  unpin: CacheIndex['unpin'] = (key) => this.#call('unpin', (ops) => ops.unpin(checkKey(key)));
  list: CacheIndex['list'] = (query) => this.#call('list', (ops) => ops.list(query));
  delete: CacheIndex['delete'] = (keys, options = {}) =>
    this.#call('delete', (ops) => {
      checkKeys(keys);
      const unpinnedAt =
        options.unpinnedAt === undefined
          ? undefined
          : requireTime(options.unpinnedAt, 'options.unpinnedAt');
      if (keys.length === 0) return { deleted: [], orphaned: [] };
      return ops.delete(keys, unpinnedAt, options.dryRun === true);
    });
  stats: CacheIndex['stats'] = (now) =>
    this.#call('stats', (ops) => ops.stats(requireTime(now, 'now')));

  close(): Promise<void> {
    if (this.#db !== undefined && this.owned) this.#db.close();
    this.#db = undefined;
    this.#ops = undefined;
    return Promise.resolve();
  }
}
