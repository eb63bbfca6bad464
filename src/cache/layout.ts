import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * Where things live under the cache directory:
 *
 *   <dir>/ab/cd/<sha256 of the content>   one file per distinct content (sharded: no folder
 *                                          holds more than 1/65,536 of the files)
 *   <dir>/.tmp/<pid>-<random>.tmp          a write in progress, renamed into place when complete
 *
 * Temp files live inside the cache directory so that the final rename never crosses a volume
 * (a rename is atomic only within one file system), and are named by the writing process's pid
 * so that an open can tell a dead writer's leftovers from a live writer's file.
 */
export const tempDirName = '.tmp';

const tempName = /^(\d+)-[0-9a-f]+\.tmp$/;
const contentName = /^[0-9a-f]{64}$/;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function contentPath(dir: string, contentHash: string): string {
  return join(dir, contentHash.slice(0, 2), contentHash.slice(2, 4), contentHash);
}

export function newTempPath(dir: string): string {
  return join(dir, tempDirName, `${process.pid}-${randomBytes(8).toString('hex')}.tmp`);
}

/** The pid that wrote a temp file, or undefined for a name that is not one of ours. */
export function tempOwner(name: string): number | undefined {
  const match = tempName.exec(name);
  return match === null ? undefined : Number(match[1]);
}

export function isContentName(name: string): boolean {
  return contentName.test(name);
}

export function isShardName(name: string): boolean {
  return /^[0-9a-f]{2}$/.test(name);
}

/** Temp files of writes in progress in this process (any cache instance): never orphans. */
export const activeTempFiles = new Set<string>();

/** Whether a process is alive; EPERM means it is, under another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
