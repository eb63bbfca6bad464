import { statfs } from 'node:fs/promises';

/** What checkDiskSpace found; `ok` is false when any warning applies. */
export interface DiskSpaceVerdict {
  readonly ok: boolean;
  readonly cacheBytes: number;
  readonly cacheMb: number;
  readonly warnThresholdMb: number;
  /** The cache holds more than warnThresholdMb. */
  readonly overThreshold: boolean;
  /** Free space on the cache's volume for an unprivileged writer (statfs bavail). */
  readonly freeMb: number;
  readonly volumeMb: number;
  readonly minFreeMb: number;
  /** The volume has less than minFreeMb free. */
  readonly lowFreeSpace: boolean;
  /** One sentence per problem, as logged. */
  readonly warnings: readonly string[];
}

const MB = 1024 * 1024;

/**
 * Judges the cache's size against its warning threshold and its volume's free space (statfs)
 * against `minFreeMb`. Shared by the cache's checkDiskSpace() and `sluice cache stats`, which
 * reports on a cache without opening it.
 */
export async function assessDiskSpace(options: {
  readonly dir: string;
  readonly cacheBytes: number;
  readonly warnThresholdMb: number;
  readonly minFreeMb: number;
}): Promise<DiskSpaceVerdict> {
  const fs = await statfs(options.dir);
  const freeMb = round((fs.bavail * fs.bsize) / MB);
  const volumeMb = round((fs.blocks * fs.bsize) / MB);
  const cacheMb = round(options.cacheBytes / MB);
  const overThreshold = options.cacheBytes > options.warnThresholdMb * MB;
  const lowFreeSpace = freeMb < options.minFreeMb;
  const warnings: string[] = [];
  if (overThreshold) {
    warnings.push(
      `the cache at ${options.dir} holds ${cacheMb} MB, over its warning threshold of ${options.warnThresholdMb} MB (warnThresholdMb); run cleanup or lower retentionDays`,
    );
  }
  if (lowFreeSpace) {
    warnings.push(
      `the volume of ${options.dir} has ${freeMb} MB free of ${volumeMb} MB, under the minimum of ${options.minFreeMb} MB (minFreeMb)`,
    );
  }
  return Object.freeze({
    ok: warnings.length === 0,
    cacheBytes: options.cacheBytes,
    cacheMb,
    warnThresholdMb: options.warnThresholdMb,
    overThreshold,
    freeMb,
    volumeMb,
    minFreeMb: options.minFreeMb,
    lowFreeSpace,
    warnings: Object.freeze(warnings),
  });
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
