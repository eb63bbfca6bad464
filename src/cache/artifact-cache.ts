import { open, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { CacheError, InvalidConfigError } from '../errors/index.js';
import type { CacheEntry } from '../store/index.js';
import { writeContent, type CacheBody } from './atomic-write.js';
import { evictable, removeEntries, type CleanupReport, type RemovalContext } from './cleanup.js';
import { assessDiskSpace, round, type DiskSpaceVerdict } from './disk-space.js';
import { cacheFsError, isMissing } from './fs-errors.js';
import { ensureWritable } from './ensure-writable.js';
import { contentPath, sha256Hex } from './layout.js';
import {
  resolveCacheOptions,
  type ArtifactCacheOptions,
  type ResolvedCacheOptions,
} from './options.js';
import { repairCache, type RepairReport } from './repair.js';
import type {
  ArtifactCache,
  CachedArtifact,
  CacheHandle,
  CacheHit,
  CleanupOptions,
  PutOptions,
} from './types.js';
import { keyOf, optionalString } from './url-key.js';

const DAY_MS = 86_400_000;
const MB = 1024 * 1024;

/**
 * Opens a content-addressed artifact cache on `dir` (docs/cache.md): checks that the folder can
 * be written, repairs what a crash left (temp files of dead writers, entries without their
 * file), reads the cache's size from the index and starts the cleanup schedule.
 */
export async function openArtifactCache(options: ArtifactCacheOptions): Promise<ArtifactCache> {
  const resolved = resolveCacheOptions(options);
  await ensureWritable(resolved.dir);
  const cache = new Cache(resolved);
  await cache.start();
  return cache;
}

class Cache implements ArtifactCache {
  readonly dir: string;
  readonly name: string;
  repaired: RepairReport = { tempFilesRemoved: 0, entriesDropped: 0, unreferencedFilesRemoved: 0 };
  readonly #o: ResolvedCacheOptions;
  /** Content hashes being written now, with how many writers each. */
  readonly #inFlight = new Map<string, number>();
  /** Keys held open by this process's handles, with how many handles each. */
  readonly #pinned = new Map<string, number>();
  #bytes = 0;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  /** A scheduled round still running when the next is due: the next is skipped. */
  #scheduledRunning = false;
  #renewTimer: NodeJS.Timeout | undefined;
  /** Cleanups and evictions run one at a time. */
  #maintenance: Promise<unknown> = Promise.resolve();

  constructor(options: ResolvedCacheOptions) {
    this.#o = options;
    this.dir = options.dir;
    this.name = options.index.cache;
  }

  get #removal(): RemovalContext {
    return { dir: this.dir, index: this.#o.index, inFlight: this.#inFlight, pinned: this.#pinned };
  }

  async start(): Promise<void> {
    if (this.#o.repairOnOpen) {
      this.repaired = Object.freeze(
        await repairCache(this.dir, this.#o.index, new Set(this.#inFlight.keys())),
      );
      const { tempFilesRemoved, entriesDropped, unreferencedFilesRemoved } = this.repaired;
      if (tempFilesRemoved + entriesDropped + unreferencedFilesRemoved > 0) {
        this.#o.logger?.warn(
          { cache: this.name, dir: this.dir, ...this.repaired },
          'cache repaired on open: removed what an interrupted write or a lost file left',
        );
      }
    }
    await this.#refreshSize();
    const interval = this.#o.cleanupIntervalMs;
    if (interval > 0) {
      this.#timer = setInterval(() => void this.#scheduled(), interval);
      this.#timer.unref();
    }
  }

  async put(url: string, body: CacheBody, options: PutOptions = {}): Promise<CachedArtifact> {
    this.#assertOpen('put', url);
    const { key, masked } = keyOf(url);
    const contentType = optionalString(options.contentType, 'options.contentType');
    const etag = optionalString(options.etag, 'options.etag');
    const lastModified = optionalString(options.lastModified, 'options.lastModified');
    let reserved: string | undefined;
    try {
      const written = await writeContent(this.dir, body, url, {
        ...(this.#o.maxBytes === undefined ? {} : { maxBytes: this.#o.maxBytes }),
        reserve: (hash) => {
          reserved = hash;
          this.#inFlight.set(hash, (this.#inFlight.get(hash) ?? 0) + 1);
        },
      });
      const now = this.#o.clock();
      const result = await this.#o.index.put(
        {
          key,
          url: masked,
          contentHash: written.contentHash,
          size: written.size,
          contentType,
          etag,
          lastModified,
        },
        now,
      );
      if (result.newContent) this.#bytes += written.size;
      for (const orphan of result.orphaned) {
        if (this.#inFlight.has(orphan.contentHash)) continue;
        await unlink(contentPath(this.dir, orphan.contentHash)).then(
          () => (this.#bytes -= orphan.size),
          () => undefined,
        );
      }
      this.#publishSize();
      return Object.freeze({
        url: masked,
        contentHash: written.contentHash,
        size: written.size,
        contentType,
        etag,
        lastModified,
        createdAt: now,
        path: written.path,
      });
    } finally {
      if (reserved !== undefined) release(this.#inFlight, reserved);
      if (this.#o.maxBytes !== undefined && this.#bytes > this.#o.maxBytes && !this.#closed) {
        // The artifact is stored either way: a failed eviction is logged, not the put's error.
        await this.enforceSizeCap().catch((error: unknown) => {
          this.#o.logger?.error(
            { cache: this.name, err: error },
            'cache could not evict to fit its size cap',
          );
        });
      }
    }
  }

  async get(url: string): Promise<CacheHit | undefined> {
    this.#assertOpen('get', url);
    const { key, masked } = keyOf(url);
    const entry = await this.#o.index.get(key);
    if (entry === undefined) return this.#miss();
    const path = contentPath(this.dir, entry.contentHash);
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch (error) {
      if (!isMissing(error)) throw cacheFsError(error, 'reading a stored file', path, masked);
      return this.#drop(entry, masked, 'its file is missing');
    }
    if (body.length !== entry.size || sha256Hex(body) !== entry.contentHash) {
      return this.#drop(
        entry,
        masked,
        `its file holds ${body.length} bytes that do not hash to its name`,
      );
    }
    await this.#o.index.touch(key, this.#o.clock());
    this.#o.metrics?.cacheHit({ cache: this.name });
    return Object.freeze({ ...describe(entry, path), body });
  }

  async has(url: string): Promise<boolean> {
    this.#assertOpen('has', url);
    const entry = await this.#o.index.get(keyOf(url).key);
    if (entry === undefined) return false;
    const info = await stat(contentPath(this.dir, entry.contentHash)).catch(() => undefined);
    return info?.isFile() === true && info.size === entry.size;
  }

  async open(url: string): Promise<CacheHandle | undefined> {
    this.#assertOpen('open', url);
    const { key, masked } = keyOf(url);
    // Pinned here first, synchronously, so a cleanup of this process cannot slip in between.
    this.#pinned.set(key, (this.#pinned.get(key) ?? 0) + 1);
    let held = true;
    const letGo = () => {
      if (held) release(this.#pinned, key);
      held = false;
    };
    try {
      const now = this.#o.clock();
      const entry = await this.#o.index.pin(key, now + this.#o.pinLeaseMs, now);
      if (entry === undefined) {
        letGo();
        return this.#miss();
      }
      const path = contentPath(this.dir, entry.contentHash);
      let file: FileHandle;
      try {
        file = await open(path, 'r');
      } catch (error) {
        letGo();
        await this.#o.index.unpin(key);
        if (!isMissing(error)) throw cacheFsError(error, 'opening a stored file', path, masked);
        return await this.#drop(entry, masked, 'its file is missing');
      }
      const size = (await file.stat()).size;
      if (size !== entry.size) {
        await file.close();
        letGo();
        await this.#o.index.unpin(key);
        return await this.#drop(entry, masked, `its file holds ${size} bytes, not ${entry.size}`);
      }
      this.#o.metrics?.cacheHit({ cache: this.name });
      this.#scheduleRenewal();
      return this.#handle(entry, path, file, key);
    } catch (error) {
      letGo();
      throw error;
    }
  }

  #handle(entry: CacheEntry, path: string, file: FileHandle, key: string): CacheHandle {
    let closed = false;
    return Object.freeze({
      ...describe(entry, path),
      stream: () => file.createReadStream({ start: 0, autoClose: false }),
      read: async () => {
        const buffer = Buffer.alloc(entry.size);
        const { bytesRead } = await file.read(buffer, 0, entry.size, 0);
        return buffer.subarray(0, bytesRead);
      },
      close: async () => {
        if (closed) return;
        closed = true;
        await file.close();
        await this.#unpin(key);
      },
    });
  }

  async #unpin(key: string): Promise<void> {
    release(this.#pinned, key);
    await this.#o.index.unpin(key).catch((error: unknown) => {
      // The lease runs out on its own; a lost unpin only delays cleanup of this entry.
      this.#o.logger?.warn({ cache: this.name, err: error }, 'cache could not release a pin');
    });
  }

  /** Renews this process's pins (every third of the lease) while any handle is open. */
  #scheduleRenewal(): void {
    if (this.#renewTimer !== undefined) return;
    this.#renewTimer = setInterval(
      () => {
        if (this.#pinned.size === 0) {
          clearInterval(this.#renewTimer);
          this.#renewTimer = undefined;
          return;
        }
        const until = this.#o.clock() + this.#o.pinLeaseMs;
        this.#o.index.renewPins([...this.#pinned.keys()], until).catch((error: unknown) => {
          this.#o.logger?.warn({ cache: this.name, err: error }, 'cache could not renew its pins');
        });
      },
      Math.max(1, Math.floor(this.#o.pinLeaseMs / 3)),
    );
    this.#renewTimer.unref();
  }

  async cleanupOldEntries(options: CleanupOptions = {}): Promise<CleanupReport> {
    this.#assertOpen('cleanupOldEntries');
    const days = options.olderThanDays ?? this.#o.retentionDays;
    if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) {
      throw new InvalidConfigError('olderThanDays', 'a finite number of days >= 0', days);
    }
    const dryRun = options.dryRun ?? false;
    return this.#serialized(async () => {
      const now = this.#o.clock();
      const keys: string[] = [];
      for await (const entry of evictable(this.#removal, now, now - days * DAY_MS)) {
        keys.push(entry.key);
      }
      const removal = await removeEntries(this.#removal, keys, now, dryRun);
      if (!dryRun) await this.#afterRemoval(removal.deletedCount);
      const report: CleanupReport = Object.freeze({
        deleted_count: removal.deletedCount,
        freed_mb: round(removal.freedBytes / MB),
        empty_dirs_removed: removal.emptyDirsRemoved,
        errors: Object.freeze([...removal.errors]),
      });
      this.#o.logger?.[report.errors.length > 0 ? 'warn' : 'info'](
        { cache: this.name, dir: this.dir, olderThanDays: days, dryRun, ...report },
        dryRun ? 'cache cleanup (dry run)' : 'cache cleanup',
      );
      return report;
    });
  }

  async enforceSizeCap(): Promise<number> {
    this.#assertOpen('enforceSizeCap');
    const maxBytes = this.#o.maxBytes;
    if (maxBytes === undefined) return 0;
    return this.#serialized(async () => {
      await this.#refreshSize();
      let evicted = 0;
      const now = this.#o.clock();
      while (this.#bytes > maxBytes) {
        // Least recently used first, just enough to cover the excess by their sizes; content
        // shared with a remaining entry frees nothing, so the bytes are re-read after each batch.
        const batch: string[] = [];
        let covered = 0;
        for await (const entry of evictable(this.#removal, now)) {
          batch.push(entry.key);
          covered += entry.size;
          if (covered >= this.#bytes - maxBytes) break;
        }
        if (batch.length === 0) break; // everything left is pinned
        const removal = await removeEntries(this.#removal, batch, now, false);
        evicted += removal.deletedCount;
        await this.#afterRemoval(removal.deletedCount);
        if (removal.deletedCount === 0) break;
      }
      if (evicted > 0) {
        this.#o.logger?.info(
          { cache: this.name, evicted, bytes: this.#bytes, maxBytes },
          'cache evicted least recently used entries to fit its size cap',
        );
      }
      return evicted;
    });
  }

  async checkDiskSpace(): Promise<DiskSpaceVerdict> {
    this.#assertOpen('checkDiskSpace');
    await this.#refreshSize();
    const verdict = await assessDiskSpace({
      dir: this.dir,
      cacheBytes: this.#bytes,
      warnThresholdMb: this.#o.warnThresholdMb,
      minFreeMb: this.#o.minFreeMb,
    });
    for (const warning of verdict.warnings) {
      this.#o.logger?.warn({ cache: this.name, dir: this.dir, ...omitWarnings(verdict) }, warning);
    }
    return verdict;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    clearInterval(this.#renewTimer);
    await this.#maintenance.catch(() => undefined);
  }

  async #scheduled(): Promise<void> {
    if (this.#scheduledRunning || this.#closed) return;
    this.#scheduledRunning = true;
    try {
      await this.cleanupOldEntries();
      await this.enforceSizeCap();
      await this.checkDiskSpace();
    } catch (error) {
      if (this.#closed) return;
      this.#o.logger?.error(
        { cache: this.name, dir: this.dir, err: error },
        'cache scheduled cleanup failed',
      );
    } finally {
      this.#scheduledRunning = false;
    }
  }

  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#maintenance.then(work, work);
    this.#maintenance = run.catch(() => undefined);
    return run;
  }

  async #afterRemoval(deleted: number): Promise<void> {
    if (deleted > 0) this.#o.metrics?.cacheEvicted({ cache: this.name, count: deleted });
    await this.#refreshSize();
  }

  async #refreshSize(): Promise<void> {
    this.#bytes = (await this.#o.index.stats(this.#o.clock())).bytes;
    this.#publishSize();
  }

  #publishSize(): void {
    this.#o.metrics?.setCacheSize({
      cache: this.name,
      bytes: this.#bytes,
      warningBytes: Math.floor(this.#o.warnThresholdMb * MB),
    });
  }

  #miss(): undefined {
    this.#o.metrics?.cacheMiss({ cache: this.name });
    return undefined;
  }

  /** Drops a broken entry (its file is gone or damaged), logs why, and answers a miss. */
  async #drop(entry: CacheEntry, url: string, why: string): Promise<undefined> {
    const path = contentPath(this.dir, entry.contentHash);
    const error = new CacheError('corrupt', { url, path, detail: `entry dropped: ${why}` });
    this.#o.logger?.warn({ cache: this.name, err: error, code: error.code }, error.message);
    const { orphaned } = await this.#o.index.delete([entry.key]);
    for (const orphan of orphaned) {
      if (!this.#inFlight.has(orphan.contentHash)) {
        await unlink(contentPath(this.dir, orphan.contentHash)).catch(() => undefined);
      }
    }
    await this.#refreshSize();
    return this.#miss();
  }

  #assertOpen(method: string, url?: string): void {
    if (this.#closed) {
      throw new CacheError('closed', {
        path: this.dir,
        ...(url === undefined ? {} : { url }),
        detail: `${method}() was called after close()`,
      });
    }
  }
}

function describe(entry: CacheEntry, path: string): CachedArtifact {
  return {
    url: entry.url,
    contentHash: entry.contentHash,
    size: entry.size,
    contentType: entry.contentType,
    etag: entry.etag,
    lastModified: entry.lastModified,
    createdAt: entry.createdAt,
    path,
  };
}

function omitWarnings(verdict: DiskSpaceVerdict): Omit<DiskSpaceVerdict, 'warnings'> {
  const { warnings: _warnings, ...rest } = verdict;
  return rest;
}

function release(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 0) - 1;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
