import { InvalidConfigError } from '../errors/index.js';
import { requireId, requireInteger, requireTime } from './validate.js';

/**
 * The metadata of the artifact cache (src/cache), kept in the store next to the runs so that
 * several processes sharing one cache directory agree on what it holds and what is in use.
 * Separate from `Store` on purpose: the cache is optional, and a backend's Store and its
 * CacheIndex share a database (file or pool), not an interface.
 *
 * One index serves ONE named cache (`cache`): several caches (images, LLM answers) may share a
 * database, each with its own directory. Like the Store, no method reads a clock: every write
 * takes `now` (ms since the epoch) from its caller, and bad arguments are refused before any
 * write with an InvalidConfigError naming the field.
 */
export interface CacheIndex {
  /** `sqlite` or `postgres`. */
  readonly backend: string;
  /** The cache this index serves (the metrics' `cache` label). */
  readonly cache: string;

  /**
   * Records (or replaces) the entry of `entry.key`, keeping its pins. `newContent` is true when
   * no entry referenced `contentHash` before (the file is new to the cache); `orphaned` lists
   * the content the replaced entry referenced that no entry references any more.
   */
  put(entry: NewCacheEntry, now: number): Promise<PutResult>;
  get(key: string): Promise<CacheEntry | undefined>;
  /** Stamps an access (a read); false when there is no such entry. */
  touch(key: string, now: number): Promise<boolean>;
  /**
   * Marks an entry in use until `until` (a lease, extended, never shortened) and stamps an
   * access, in one statement: returns the entry, or undefined when there is none (so a reader
   * either holds a pin or knows the entry is gone, never a pin on a deleted entry).
   */
  pin(key: string, until: number, now: number): Promise<CacheEntry | undefined>;
  /** Extends the leases of held pins (a reader still reading). */
  renewPins(keys: readonly string[], until: number): Promise<void>;
  /** Releases one pin of `key`. */
  unpin(key: string): Promise<void>;
  /** One page of entries in `order`; pass the page's last entry as `after` for the next. */
  list(query?: CacheListQuery): Promise<readonly CacheEntry[]>;
  /**
   * Deletes the entries of `keys` in one transaction, except (with `unpinnedAt`) those pinned at
   * that time; returns what was deleted and the content no entry references any more (whose
   * files the caller then removes). `dryRun` computes the same answer and rolls back.
   */
  delete(keys: readonly string[], options?: CacheDeleteOptions): Promise<DeleteResult>;
  stats(now: number): Promise<CacheIndexStats>;
  close(): Promise<void>;
}

export interface NewCacheEntry {
  /** sha256 (hex) of the full URL. */
  readonly key: string;
  /** The URL with credentials masked (see maskUrlCredentials). */
  readonly url: string;
  /** sha256 (hex) of the content: the file's name. */
  readonly contentHash: string;
  readonly size: number;
  readonly contentType?: string | null;
}

export interface CacheEntry {
  readonly key: string;
  readonly url: string;
  readonly contentHash: string;
  readonly size: number;
  readonly contentType: string | null;
  readonly createdAt: number;
  readonly lastAccessAt: number;
  readonly pins: number;
  readonly pinnedUntil: number;
}

export interface OrphanedContent {
  readonly contentHash: string;
  readonly size: number;
}

export interface PutResult {
  readonly newContent: boolean;
  readonly orphaned: readonly OrphanedContent[];
}

export interface DeleteResult {
  readonly deleted: readonly CacheEntry[];
  readonly orphaned: readonly OrphanedContent[];
}

export interface CacheListQuery {
  /** `key` (default): every entry by key. `lru`: least recently accessed first. */
  readonly order?: 'key' | 'lru';
  /** Only entries last accessed strictly before this time. */
  readonly accessedBefore?: number;
  /** Only entries not pinned at this time. */
  readonly unpinnedAt?: number;
  /** The last entry of the previous page (keyset paging). */
  readonly after?: Pick<CacheEntry, 'key' | 'lastAccessAt'>;
  /** Default 1000, at most 10,000. */
  readonly limit?: number;
}

export interface CacheDeleteOptions {
  /** Keep the entries pinned at this time. Without it, pinned entries are deleted too. */
  readonly unpinnedAt?: number;
  readonly dryRun?: boolean;
}

export interface CacheIndexStats {
  readonly entries: number;
  /** Distinct contents and their bytes: what the files take on disk. */
  readonly files: number;
  readonly bytes: number;
  /** Entries pinned at `now`. */
  readonly pinned: number;
  readonly oldestAccessAt: number | null;
  readonly newestAccessAt: number | null;
}

export const defaultCacheListLimit = 1000;
export const maxCacheListLimit = 10_000;

const sha256Hex = /^[0-9a-f]{64}$/;

/** The checks both backends run, so that a bad call fails the same way everywhere. */
export function checkCacheName(cache: unknown): string {
  if (typeof cache !== 'string' || !/^[a-z0-9][a-z0-9_.-]{0,62}$/i.test(cache)) {
    throw new InvalidConfigError(
      'cacheIndex.cache',
      'a name of 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit',
      cache,
    );
  }
  return cache;
}

export function checkKey(key: unknown, field = 'key'): string {
  if (typeof key !== 'string' || !sha256Hex.test(key)) {
    throw new InvalidConfigError(field, 'a sha256 in lower-case hex (64 characters)', key);
  }
  return key;
}

export function checkKeys(keys: unknown): readonly string[] {
  if (!Array.isArray(keys)) throw new InvalidConfigError('keys', 'an array of keys', keys);
  keys.forEach((key, i) => checkKey(key, `keys[${i}]`));
  return keys as readonly string[];
}

export interface CheckedEntry {
  readonly key: string;
  readonly url: string;
  readonly contentHash: string;
  readonly size: number;
  readonly contentType: string | null;
  readonly now: number;
}

export function checkNewEntry(entry: NewCacheEntry, now: number): CheckedEntry {
  if (typeof entry !== 'object' || entry === null) {
    throw new InvalidConfigError('entry', 'an object', entry);
  }
  checkKey(entry.key, 'entry.key');
  requireId(entry.url, 'entry.url');
  checkKey(entry.contentHash, 'entry.contentHash');
  requireInteger(entry.size, 'entry.size', 0);
  const contentType = entry.contentType ?? null;
  if (contentType !== null && (typeof contentType !== 'string' || contentType.length > 255)) {
    throw new InvalidConfigError(
      'entry.contentType',
      'a string of at most 255 characters or null',
      contentType,
    );
  }
  return {
    key: entry.key,
    url: entry.url,
    contentHash: entry.contentHash,
    size: entry.size,
    contentType,
    now: requireTime(now, 'now'),
  };
}

export interface CheckedListQuery {
  readonly order: 'key' | 'lru';
  readonly accessedBefore: number | undefined;
  readonly unpinnedAt: number | undefined;
  readonly after: Pick<CacheEntry, 'key' | 'lastAccessAt'> | undefined;
  readonly limit: number;
}

export function checkListQuery(query: CacheListQuery = {}): CheckedListQuery {
  const order = query.order ?? 'key';
  if (order !== 'key' && order !== 'lru') {
    throw new InvalidConfigError('query.order', '"key" or "lru"', order);
  }
  const after = query.after;
  if (after !== undefined) {
    checkKey(after.key, 'query.after.key');
    requireTime(after.lastAccessAt, 'query.after.lastAccessAt');
  }
  return {
    order,
    accessedBefore:
      query.accessedBefore === undefined
        ? undefined
        : requireTime(query.accessedBefore, 'query.accessedBefore'),
    unpinnedAt:
      query.unpinnedAt === undefined
        ? undefined
        : requireTime(query.unpinnedAt, 'query.unpinnedAt'),
    after,
    limit: requireInteger(
      query.limit ?? defaultCacheListLimit,
      'query.limit',
      1,
      maxCacheListLimit,
    ),
  };
}
