import { Option, type Command } from 'commander';
import { openArtifactCache } from '../../cache/index.js';
import { printJson, type CliIo } from '../io.js';
import { dbOption, jsonOption } from '../options.js';
import {
  cacheDirOption,
  cacheNameOption,
  parseOlderThan,
  withCacheIndex,
  type CacheVerbOptions,
} from './cache-options.js';

interface CacheCleanupOptions extends CacheVerbOptions {
  readonly olderThan: number;
  readonly dryRun?: boolean;
}

/**
 * `sluice cache cleanup`: removes entries not read or written within --older-than (default 30
 * days, the cache's default retention) that no process holds open, their files and the folders
 * left empty. `--dry-run` reports the same figures and changes nothing (not even the open-time
 * repair runs).
 */
export function registerCacheCleanup(cache: Command, io: CliIo): void {
  cache
    .command('cleanup')
    .description('remove entries not used within --older-than, their files and empty folders')
    .addOption(dbOption())
    .addOption(cacheDirOption())
    .addOption(cacheNameOption())
    .addOption(
      new Option('--older-than <age>', 'entries last used longer ago than this: 30d, 12h, 90m')
        .default(30, '30d')
        .argParser(parseOlderThan),
    )
    .addOption(new Option('--dry-run', 'report what would be removed, remove nothing'))
    .addOption(jsonOption())
    .action((options: CacheCleanupOptions) =>
      withCacheIndex(options, async (index) => {
        const dryRun = options.dryRun === true;
        const artifacts = await openArtifactCache({
          dir: options.dir,
          index,
          cleanupIntervalMs: 0,
          repairOnOpen: !dryRun,
          clock: io.now,
        });
        try {
          const report = await artifacts.cleanupOldEntries({
            olderThanDays: options.olderThan,
            dryRun,
          });
          if (options.json) {
            printJson(io, { ...report, dry_run: dryRun, older_than_days: options.olderThan });
            return;
          }
          const verb = dryRun ? 'would delete' : 'deleted';
          io.stdout(
            `${verb} ${report.deleted_count} ${report.deleted_count === 1 ? 'entry' : 'entries'} last used over ${options.olderThan} days ago, ${dryRun ? 'freeing' : 'freed'} ${report.freed_mb} MB, ${dryRun ? 'emptying' : 'removed'} ${report.empty_dirs_removed} folders${dryRun ? ' (dry run: nothing was changed)' : ''}\n${report.errors.map((e) => `error: ${e}\n`).join('')}`,
          );
        } finally {
          await artifacts.close();
        }
      }),
    );
}
