import { statSync } from 'node:fs';
import { InvalidArgumentError, Option } from 'commander';
import { createSqliteCacheIndex, type CacheIndex } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import { checkExistingDatabase } from '../open-store.js';

/** The flags and the opening shared by `sluice cache stats` and `sluice cache cleanup`. */

export interface CacheVerbOptions {
  readonly db: string;
  readonly dir: string;
  readonly cache: string;
  readonly json?: boolean;
}

export const defaultCacheDir = '.sluice/cache';

export function cacheDirOption(): Option {
  return new Option('--dir <path>', 'the cache directory')
    .env('SLUICE_CACHE_DIR')
    .default(defaultCacheDir)
    .argParser((value: string) => {
      if (value.trim() === '')
        throw new InvalidArgumentError('--dir must be a non-empty path, got ""');
      return value;
    });
}

export function cacheNameOption(): Option {
  return new Option('--cache <name>', 'which cache of the database (its index name)')
    .default('default')
    .argParser((value: string) => {
      if (!/^[a-z0-9][a-z0-9_.-]{0,62}$/i.test(value)) {
        throw new InvalidArgumentError(
          `--cache must be a name of 1 to 63 letters, digits, ".", "_" or "-", got ${JSON.stringify(value)}`,
        );
      }
      return value;
    });
}

/**
 * Opens the cache index of an existing, up-to-date database (like every operator verb: never
 * creates or migrates one) over an existing cache directory, runs `use`, and closes it.
 */
export async function withCacheIndex<T>(
  options: CacheVerbOptions,
  use: (index: CacheIndex) => Promise<T>,
): Promise<T> {
  checkExistingDatabase(options.db);
  if (!statSync(options.dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CliError(
      'SLUICE_NO_CACHE',
      `no cache directory at ${options.dir} (--dir or SLUICE_CACHE_DIR picks it)`,
    );
  }
  const index = await createSqliteCacheIndex({ path: options.db, cache: options.cache });
  try {
    return await use(index);
  } finally {
    await index.close();
  }
}

/** `30d`, `12h`, `90m` (or a bare number of days) as days; anything else names the flag. */
export function parseOlderThan(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([dhm]?)$/.exec(value.trim());
  if (match === null) {
    throw new InvalidArgumentError(
      `--older-than must be a duration like 30d, 12h or 90m (a number followed by d, h or m), got ${value}`,
    );
  }
  const n = Number(match[1]);
  return match[2] === 'h' ? n / 24 : match[2] === 'm' ? n / 1440 : n;
}
