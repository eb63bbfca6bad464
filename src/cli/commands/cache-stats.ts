import { resolve } from 'node:path';
import type { Command } from 'commander';
import { assessDiskSpace } from '../../cache/index.js';
import { formatCount, formatTime } from '../format.js';
import { printJson, type CliIo } from '../io.js';
import { dbOption, jsonOption } from '../options.js';
import {
  cacheDirOption,
  cacheNameOption,
  withCacheIndex,
  type CacheVerbOptions,
} from './cache-options.js';

const MB = 1024 * 1024;
/** The cache's own defaults (ArtifactCacheOptions): stats judges the cache by them. */
const warnThresholdMb = 1000;
const minFreeMb = 1000;

/**
 * `sluice cache stats`: entries, files, bytes and pins from the index, and the disk-space
 * verdict of the cache's volume. Reads only: the cache is not opened (no repair, no cleanup).
 */
export function registerCacheStats(cache: Command, io: CliIo): void {
  cache
    .command('stats')
    .description('what the cache holds, and whether its size or its volume needs attention')
    .addOption(dbOption())
    .addOption(cacheDirOption())
    .addOption(cacheNameOption())
    .addOption(jsonOption())
    .action((options: CacheVerbOptions) =>
      withCacheIndex(options, async (index) => {
        const stats = await index.stats(io.now());
        const dir = resolve(options.dir);
        const disk = await assessDiskSpace({
          dir,
          cacheBytes: stats.bytes,
          warnThresholdMb,
          minFreeMb,
        });
        if (options.json) {
          printJson(io, { cache: index.cache, dir, db: options.db, ...stats, disk });
          return;
        }
        const lines = [
          `Cache ${index.cache} at ${dir} (index in ${options.db})`,
          `entries      ${formatCount(stats.entries)} (${formatCount(stats.pinned)} in use)`,
          `files        ${formatCount(stats.files)}`,
          `size         ${(stats.bytes / MB).toFixed(1)} MB (warning at ${warnThresholdMb} MB)`,
          `last access  oldest ${formatTime(stats.oldestAccessAt)}, newest ${formatTime(stats.newestAccessAt)}`,
          `volume       ${formatCount(Math.floor(disk.freeMb))} MB free of ${formatCount(Math.floor(disk.volumeMb))} MB`,
          ...disk.warnings.map((warning) => `warning: ${warning}`),
        ];
        io.stdout(`${lines.join('\n')}\n`);
      }),
    );
}
