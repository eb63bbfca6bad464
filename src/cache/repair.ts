import { readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheIndex } from '../store/index.js';
import { eachLimited, fsConcurrency } from './each-limited.js';
import { isMissing } from './fs-errors.js';
import {
  activeTempFiles,
  contentPath,
  isContentName,
  isShardName,
  processAlive,
  tempDirName,
  tempOwner,
} from './layout.js';

export interface RepairReport {
  /** Temp files of writes whose process died (SIGKILL, power loss) mid-write. */
  readonly tempFilesRemoved: number;
  /** Entries whose file was missing or of the wrong size. */
  readonly entriesDropped: number;
  /** Files no entry referenced (a writer killed between its rename and its index write). */
  readonly unreferencedFilesRemoved: number;
}

/**
 * An unreferenced file younger than this may be another process's write between its rename
 * and its index write: left for a later open.
 */
const unreferencedGraceMs = 10 * 60_000;

/**
 * Makes the directory and the index agree again after a crash: removes the temp files of dead
 * writers, drops the entries whose file is missing or of the wrong size (and their files), and
 * removes content files no entry references. Entries are read in pages; files are stat'ed one
 * by one (10,000 entries: well under a second).
 */
export async function repairCache(
  dir: string,
  index: CacheIndex,
  inFlight: ReadonlySet<string>,
): Promise<RepairReport> {
  const tempFilesRemoved = await removeDeadTemps(dir);

  const referenced = new Set<string>();
  const broken: string[] = [];
  for (let page = await index.list({ limit: 1000 }); page.length > 0;) {
    await eachLimited(page, fsConcurrency, async (entry) => {
      const info = await stat(contentPath(dir, entry.contentHash)).catch(() => undefined);
      if (info?.isFile() === true && info.size === entry.size) referenced.add(entry.contentHash);
      else broken.push(entry.key);
    });
    page = page.length < 1000 ? [] : await index.list({ limit: 1000, after: page.at(-1)! });
  }
  let entriesDropped = 0;
  for (let i = 0; i < broken.length; i += 1000) {
    const { deleted, orphaned } = await index.delete(broken.slice(i, i + 1000));
    entriesDropped += deleted.length;
    for (const { contentHash } of orphaned) {
      if (!referenced.has(contentHash) && !inFlight.has(contentHash)) {
        await unlink(contentPath(dir, contentHash)).catch(() => undefined);
      }
    }
  }

  let unreferencedFilesRemoved = 0;
  const graceBefore = Date.now() - unreferencedGraceMs; // file times are the real clock's
  const shards = await subdirs(dir);
  const subs: string[] = [];
  await eachLimited(shards, fsConcurrency, async (shard) => {
    subs.push(...(await subdirs(shard)));
  });
  await eachLimited(subs, fsConcurrency, async (sub) => {
    const names = await readdir(sub).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      if (!isContentName(name) || referenced.has(name) || inFlight.has(name)) continue;
      const path = join(sub, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() !== true || info.mtimeMs > graceBefore) continue;
      await unlink(path).then(
        () => removed++,
        () => undefined,
      );
    }
    unreferencedFilesRemoved += removed;
    // Only when emptied (or left empty by an interrupted cleanup); rmdir refuses a full one.
    if (removed === names.length) await rmdir(sub).catch(() => undefined);
  });
  await eachLimited(shards, fsConcurrency, (shard) => rmdir(shard).catch(() => undefined));
  return { tempFilesRemoved, entriesDropped, unreferencedFilesRemoved };
}

async function removeDeadTemps(dir: string): Promise<number> {
  const tempDir = join(dir, tempDirName);
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(tempDir);
  } catch (error) {
    if (isMissing(error)) return 0;
    throw error;
  }
  for (const name of names) {
    const path = join(tempDir, name);
    const owner = tempOwner(name);
    const live =
      owner !== undefined &&
      (owner === process.pid ? activeTempFiles.has(path) : processAlive(owner));
    if (live) continue;
    await unlink(path).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

async function subdirs(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && isShardName(entry.name))
    .map((entry) => join(path, entry.name));
}
