import type { Readable } from 'node:stream';
import type { CacheBody } from './atomic-write.js';
import type { CleanupReport } from './cleanup.js';
import type { DiskSpaceVerdict } from './disk-space.js';
import type { RepairReport } from './repair.js';

/** One stored artifact, as put() and get() describe it. */
export interface CachedArtifact {
  /** The URL with credentials masked. */
  readonly url: string;
  readonly contentHash: string;
  readonly size: number;
  readonly contentType: string | null;
  /** The HTTP validators given to put(), for a conditional request when fetching it again. */
  readonly etag: string | null;
  readonly lastModified: string | null;
  readonly createdAt: number;
  /** The file (shared by every URL with the same content); read it only through the cache. */
  readonly path: string;
}

export interface CacheHit extends CachedArtifact {
  readonly body: Buffer;
}

/**
 * An artifact held open: cleanup and eviction (in any process sharing the index) leave its
 * entry alone until close(). The file is open too, so even a replacement of the URL's content
 * cannot change what this handle reads.
 */
export interface CacheHandle extends CachedArtifact {
  /** A stream of the whole content (each call starts at the beginning). */
  stream(): Readable;
  read(): Promise<Buffer>;
  close(): Promise<void>;
}

export interface PutOptions {
  readonly contentType?: string;
  /** The response's ETag and Last-Modified, kept for conditional requests. */
  readonly etag?: string;
  readonly lastModified?: string;
}

export interface CleanupOptions {
  /** Default: the cache's retentionDays. */
  readonly olderThanDays?: number;
  readonly dryRun?: boolean;
}

export interface ArtifactCache {
  readonly dir: string;
  /** The cache's name (its index's): the metrics' `cache` label. */
  readonly name: string;
  /** What the open-time repair found (all zeros with repairOnOpen: false). */
  readonly repaired: RepairReport;
  put(url: string, body: CacheBody, options?: PutOptions): Promise<CachedArtifact>;
  /** The artifact, or undefined (a miss); a file found missing or damaged is dropped, logged, and a miss. */
  get(url: string): Promise<CacheHit | undefined>;
  /** Whether an entry exists with its file in place; counts no hit or miss and stamps no access. */
  has(url: string): Promise<boolean>;
  open(url: string): Promise<CacheHandle | undefined>;
  cleanupOldEntries(options?: CleanupOptions): Promise<CleanupReport>;
  /** Evicts least recently used entries until the cache fits maxSizeMb; returns how many went. */
  enforceSizeCap(): Promise<number>;
  checkDiskSpace(): Promise<DiskSpaceVerdict>;
  /** Stops the schedule and waits for a running cleanup. Leaves the index and open handles alone. */
  close(): Promise<void>;
}
