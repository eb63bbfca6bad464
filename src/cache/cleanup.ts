import { readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CacheEntry, CacheIndex, OrphanedContent } from '../store/index.js';
import { cacheFsError, isMissing } from './fs-errors.js';
import { eachLimited, fsConcurrency } from './each-limited.js';
import { contentPath } from './layout.js';

/** What cleanupOldEntries() did (or, with dryRun, would do). Field names are part of the API. */
export interface CleanupReport {
  readonly deleted_count: number;
  readonly freed_mb: number;
  readonly empty_dirs_removed: number;
  /** One message per file or folder that could not be removed (its entry is gone regardless). */
  readonly errors: readonly string[];
}

export interface RemovalContext {
  readonly dir: string;
  readonly index: CacheIndex;
  /** Content hashes being written by this process right now: their files are never removed. */
  readonly inFlight: { has(contentHash: string): boolean };
  /** Keys with open handles in this process: never deleted, whatever the index's lease says. */
  readonly pinned: { has(key: string): boolean };
}

export interface Removal {
  readonly deletedCount: number;
  readonly freedBytes: number;
  readonly emptyDirsRemoved: number;
  readonly errors: readonly string[];
}

const deleteChunk = 5000;
const pageSize = 5000;

/** Unpinned entries least recently used first, optionally only those accessed before a time. */
export async function* evictable(
  ctx: RemovalContext,
  now: number,
  accessedBefore?: number,
): AsyncGenerator<CacheEntry> {
  let after: CacheEntry | undefined;
  for (;;) {
    const page = await ctx.index.list({
      order: 'lru',
      unpinnedAt: now,
      limit: pageSize,
      ...(accessedBefore === undefined ? {} : { accessedBefore }),
      ...(after === undefined ? {} : { after }),
    });
    for (const entry of page) if (!ctx.pinned.has(entry.key)) yield entry;
    if (page.length < pageSize) return;
    after = page.at(-1);
  }
}

/**
 * Deletes entries (those pinned at `now` are kept by the index itself) and then the files no
 * entry references any more, then the shard folders left empty. The index goes first: an entry
 * never points at a removed file, and a file whose removal failed is only an unreferenced file,
 * reported in `errors` and removed by the next open. `dryRun` answers the same from a rolled
 * back deletion and reads of the folders, changing nothing.
 */
export async function removeEntries(
  ctx: RemovalContext,
  keys: readonly string[],
  now: number,
  dryRun: boolean,
): Promise<Removal> {
  const errors: string[] = [];
  let deletedCount = 0;
  let freedBytes = 0;
  const orphans: OrphanedContent[] = [];
  // A dry run deletes everything in one rolled-back call, so that content shared between two
  // doomed entries counts as freed exactly as the real run would find it.
  const chunk = dryRun ? Math.max(keys.length, 1) : deleteChunk;
  for (let i = 0; i < keys.length; i += chunk) {
    const result = await ctx.index.delete(keys.slice(i, i + chunk), { unpinnedAt: now, dryRun });
    deletedCount += result.deleted.length;
    orphans.push(...result.orphaned.filter((o) => !ctx.inFlight.has(o.contentHash)));
  }
  const folders = new Set<string>();
  await eachLimited(orphans, fsConcurrency, async ({ contentHash, size }) => {
    const path = contentPath(ctx.dir, contentHash);
    folders.add(dirname(path));
    if (dryRun) {
      if ((await stat(path).catch(() => undefined))?.isFile() === true) freedBytes += size;
      return;
    }
    try {
      await unlink(path);
      freedBytes += size;
    } catch (error) {
      if (!isMissing(error)) errors.push(cacheFsError(error, 'removing a file', path).message);
    }
  });
  const emptyDirsRemoved = dryRun
    ? await countWouldBeEmpty(folders, new Set(orphans.map((o) => o.contentHash)))
    : await removeEmpty(folders, errors);
  return { deletedCount, freedBytes, emptyDirsRemoved, errors };
}

async function removeEmpty(folders: ReadonlySet<string>, errors: string[]): Promise<number> {
  let removed = 0;
  const parents = new Set<string>();
  const tryRemove = async (path: string) => {
    try {
      await rmdir(path);
      removed++;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && !isMissing(error)) {
        errors.push(cacheFsError(error, 'removing an empty folder', path).message);
      }
    }
  };
  for (const folder of folders) parents.add(dirname(folder));
  await eachLimited(folders, fsConcurrency, tryRemove);
  await eachLimited(parents, fsConcurrency, tryRemove);
  return removed;
}

async function countWouldBeEmpty(
  folders: ReadonlySet<string>,
  doomed: ReadonlySet<string>,
): Promise<number> {
  let count = 0;
  const emptied = new Set<string>();
  await eachLimited(folders, fsConcurrency, async (folder) => {
    const names = await readdir(folder).catch(() => undefined);
    if (names !== undefined && names.every((name) => doomed.has(name))) {
      count++;
      emptied.add(folder);
    }
  });
  const parents = new Set([...emptied].map((folder) => dirname(folder)));
  await eachLimited(parents, fsConcurrency, async (parent) => {
    const names = await readdir(parent).catch(() => undefined);
    if (names?.every((name) => emptied.has(`${parent}/${name}`)) === true) count++;
  });
  return count;
}
