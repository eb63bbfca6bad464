import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerCacheCleanup } from './cache-cleanup.js';
import { registerCacheStats } from './cache-stats.js';

/** `sluice cache stats|cleanup`: the artifact cache (docs/cache.md) of a Sluice database. */
export function registerCache(program: Command, io: CliIo): void {
  const cache = program
    .command('cache')
    .description('the artifact cache: what it holds (stats), removing old entries (cleanup)');
  registerCacheStats(cache, io);
  registerCacheCleanup(cache, io);
}
