import type pg from 'pg';
import { StoreClosedError } from '../../errors/index.js';
import {
  checkCacheName,
  checkKey,
  checkKeys,
  checkListQuery,
  checkNewEntry,
  type CacheEntry,
  type CacheIndex,
  type CacheIndexStats,
  type DeleteResult,
  type OrphanedContent,
  type PutResult,
} from '../cache-index.js';
import { requireTime } from '../validate.js';
import { migratePostgres } from './migrate.js';

export interface PostgresCacheIndexOptions {
  /** A pool from createPostgresPool (its connections' search_path is the Sluice schema). */
  readonly pool: pg.Pool;
  /** The pool's schema, default `sluice`: migrated to this version unless `migrate: false`. */
  readonly schema?: string;
  /** Default true, as opening the SQLite index migrates its file. */
  readonly migrate?: boolean;
  /** The cache this index serves; default `default`. */
  readonly cache?: string;
}

/** BIGINT and count(*) arrive as strings from pg: read back as numbers (all are ms or bytes). */
interface EntryRow {
  key: string;
  url: string;
  content_hash: string;
  size: string;
  content_type: string | null;
  created_at: string;
  last_access_at: string;
  pins: number;
  pinned_until: string;
}

const columns =
  'key, url, content_hash, size, content_type, created_at, last_access_at, pins, pinned_until';

/**
 * The CacheIndex on PostgreSQL, in the store's schema (table `cache_entries`, migration 0006).
 * The pool is the caller's and is not ended by close().
 */
export async function createPostgresCacheIndex(
  options: PostgresCacheIndexOptions,
): Promise<CacheIndex> {
  const cache = checkCacheName(options.cache ?? 'default');
  if (options.migrate ?? true) await migratePostgres(options.pool, options.schema ?? 'sluice');
  return new PostgresCacheIndex(options.pool, cache);
}

class PostgresCacheIndex implements CacheIndex {
  readonly backend = 'postgres';
  #pool: pg.Pool | undefined;

  constructor(
    pool: pg.Pool,
    readonly cache: string,
  ) {
    this.#pool = pool;
  }

  #open(method: string): pg.Pool {
    if (this.#pool === undefined) throw new StoreClosedError('postgres cache index', method);
    return this.#pool;
  }

  async put(entry: Parameters<CacheIndex['put']>[0], now: number): Promise<PutResult> {
    const e = checkNewEntry(entry, now);
    // One statement, one round trip. Every CTE reads the snapshot from before the upsert, so
    // "another entry still references the old content" is asked as "an entry other than this
    // key", which is what it will be after the upsert. (No FOR UPDATE on `previous`: the upsert
    // of the same statement modifies that row, and a row locked after its own statement changed
    // it is skipped.) Two writers of one key at once may both report the old content orphaned:
    // removing its file twice is harmless.
    const { rows } = await this.#open('put').query<{
      old_hash: string | null;
      old_size: string | null;
      old_shared: boolean | null;
      known: boolean;
    }>(
      `WITH previous AS (
         SELECT content_hash, size FROM cache_entries WHERE cache = $1 AND key = $2
       ), upsert AS (
         INSERT INTO cache_entries (cache, key, url, content_hash, size, content_type, created_at, last_access_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (cache, key) DO UPDATE SET url = excluded.url, content_hash = excluded.content_hash,
           size = excluded.size, content_type = excluded.content_type, created_at = excluded.created_at,
           last_access_at = excluded.last_access_at
         RETURNING 1
       )
       SELECT p.content_hash AS old_hash, p.size AS old_size,
         EXISTS (SELECT 1 FROM cache_entries o WHERE o.cache = $1 AND o.content_hash = p.content_hash
                 AND o.key <> $2) AS old_shared,
         EXISTS (SELECT 1 FROM cache_entries k WHERE k.cache = $1 AND k.content_hash = $4) AS known
       FROM (SELECT count(*) FROM upsert) AS u LEFT JOIN previous p ON true`,
      [this.cache, e.key, e.url, e.contentHash, e.size, e.contentType, e.now],
    );
    const r = rows[0]!;
    const orphaned =
      r.old_hash !== null && r.old_hash !== e.contentHash && r.old_shared !== true
        ? [{ contentHash: r.old_hash, size: Number(r.old_size) }]
        : [];
    return { newContent: !r.known, orphaned };
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    checkKey(key);
    const { rows } = await this.#open('get').query<EntryRow>(
      `SELECT ${columns} FROM cache_entries WHERE cache = $1 AND key = $2`,
      [this.cache, key],
    );
    return rows[0] === undefined ? undefined : toEntry(rows[0]);
  }

  async touch(key: string, now: number): Promise<boolean> {
    checkKey(key);
    const result = await this.#open('touch').query(
      'UPDATE cache_entries SET last_access_at = $3 WHERE cache = $1 AND key = $2',
      [this.cache, key, requireTime(now, 'now')],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async pin(key: string, until: number, now: number): Promise<CacheEntry | undefined> {
    checkKey(key);
    const { rows } = await this.#open('pin').query<EntryRow>(
      `UPDATE cache_entries SET pins = pins + 1, pinned_until = greatest(pinned_until, $3),
         last_access_at = $4 WHERE cache = $1 AND key = $2 RETURNING ${columns}`,
      [this.cache, key, requireTime(until, 'until'), requireTime(now, 'now')],
    );
    return rows[0] === undefined ? undefined : toEntry(rows[0]);
  }

  async renewPins(keys: readonly string[], until: number): Promise<void> {
    checkKeys(keys);
    await this.#open('renewPins').query(
      `UPDATE cache_entries SET pinned_until = greatest(pinned_until, $3)
       WHERE cache = $1 AND pins > 0 AND key = ANY($2::text[])`,
      [this.cache, keys, requireTime(until, 'until')],
    );
  }

  async unpin(key: string): Promise<void> {
    checkKey(key);
    await this.#open('unpin').query(
      'UPDATE cache_entries SET pins = greatest(pins - 1, 0) WHERE cache = $1 AND key = $2',
      [this.cache, key],
    );
  }

  async list(query?: Parameters<CacheIndex['list']>[0]): Promise<readonly CacheEntry[]> {
    const q = checkListQuery(query);
    const params: unknown[] = [this.cache];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where = ['cache = $1'];
    if (q.accessedBefore !== undefined) where.push(`last_access_at < ${param(q.accessedBefore)}`);
    if (q.unpinnedAt !== undefined) {
      where.push(`(pins = 0 OR pinned_until <= ${param(q.unpinnedAt)})`);
    }
    if (q.after !== undefined) {
      where.push(
        q.order === 'key'
          ? `key > ${param(q.after.key)}`
          : `(last_access_at, key) > (${param(q.after.lastAccessAt)}, ${param(q.after.key)})`,
      );
    }
    const orderBy = q.order === 'key' ? 'key' : 'last_access_at, key';
    const { rows } = await this.#open('list').query<EntryRow>(
      `SELECT ${columns} FROM cache_entries WHERE ${where.join(' AND ')}
       ORDER BY ${orderBy} LIMIT ${param(q.limit)}`,
      params,
    );
    return rows.map(toEntry);
  }

  async delete(
    keys: readonly string[],
    options: Parameters<CacheIndex['delete']>[1] = {},
  ): Promise<DeleteResult> {
    checkKeys(keys);
    const unpinnedAt =
      options.unpinnedAt === undefined
        ? undefined
        : requireTime(options.unpinnedAt, 'options.unpinnedAt');
    if (keys.length === 0) return { deleted: [], orphaned: [] };
    const client = await this.#open('delete').connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<EntryRow>(
        unpinnedAt === undefined
          ? `DELETE FROM cache_entries WHERE cache = $1 AND key = ANY($2::text[]) RETURNING ${columns}`
          : `DELETE FROM cache_entries WHERE cache = $1 AND key = ANY($2::text[])
               AND (pins = 0 OR pinned_until <= $3) RETURNING ${columns}`,
        unpinnedAt === undefined ? [this.cache, keys] : [this.cache, keys, unpinnedAt],
      );
      const result = { deleted: rows.map(toEntry), orphaned: await this.#orphansOf(client, rows) };
      await client.query(options.dryRun === true ? 'ROLLBACK' : 'COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async stats(now: number): Promise<CacheIndexStats> {
    const pool = this.#open('stats');
    const { rows } = await pool.query<{
      entries: string;
      pinned: string;
      oldest: string | null;
      newest: string | null;
      files: string;
      bytes: string | null;
    }>(
      `SELECT
         (SELECT count(*) FROM cache_entries WHERE cache = $1) AS entries,
         (SELECT count(*) FROM cache_entries WHERE cache = $1 AND pins > 0 AND pinned_until > $2) AS pinned,
         (SELECT min(last_access_at) FROM cache_entries WHERE cache = $1) AS oldest,
         (SELECT max(last_access_at) FROM cache_entries WHERE cache = $1) AS newest,
         count(*) AS files, sum(size) AS bytes
       FROM (SELECT max(size) AS size FROM cache_entries WHERE cache = $1 GROUP BY content_hash) AS f`,
      [this.cache, requireTime(now, 'now')],
    );
    const r = rows[0]!;
    return {
      entries: Number(r.entries),
      files: Number(r.files),
      bytes: Number(r.bytes ?? 0),
      pinned: Number(r.pinned),
      oldestAccessAt: r.oldest === null ? null : Number(r.oldest),
      newestAccessAt: r.newest === null ? null : Number(r.newest),
    };
  }

  async #orphansOf(
    client: pg.PoolClient,
    deleted: readonly EntryRow[],
  ): Promise<OrphanedContent[]> {
    const sizes = new Map(deleted.map((row) => [row.content_hash, Number(row.size)]));
    if (sizes.size === 0) return [];
    const { rows } = await client.query<{ hash: string }>(
      `SELECT hash FROM unnest($2::text[]) AS hash WHERE NOT EXISTS
         (SELECT 1 FROM cache_entries WHERE cache = $1 AND content_hash = hash)`,
      [this.cache, [...sizes.keys()]],
    );
    return rows.map(({ hash }) => ({ contentHash: hash, size: sizes.get(hash)! }));
  }

  close(): Promise<void> {
    this.#pool = undefined;
    return Promise.resolve();
  }
}

function toEntry(row: EntryRow): CacheEntry {
  return Object.freeze({
    key: row.key,
    url: row.url,
    contentHash: row.content_hash,
    size: Number(row.size),
    contentType: row.content_type,
    createdAt: Number(row.created_at),
    lastAccessAt: Number(row.last_access_at),
    pins: row.pins,
    pinnedUntil: Number(row.pinned_until),
  });
}
