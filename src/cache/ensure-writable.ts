import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CacheError } from '../errors/index.js';
import { cacheFsError } from './fs-errors.js';
import { newTempPath, tempDirName } from './layout.js';

/**
 * Creates the cache directory and proves it can be written (a probe file in .tmp, removed at
 * once), so a path under a file, a read-only mount or missing permissions fail at open with
 * SLUICE_CACHE_NOT_WRITABLE instead of at the first put.
 */
export async function ensureWritable(dir: string): Promise<void> {
  const probe = newTempPath(dir);
  try {
    await mkdir(join(dir, tempDirName), { recursive: true });
    await writeFile(probe, '', { flag: 'wx' });
    await unlink(probe);
  } catch (error) {
    const failure = cacheFsError(error, 'checking that the cache directory can be written', dir);
    throw failure.problem === 'write_failed'
      ? new CacheError(
          'not_writable',
          {
            path: dir,
            detail: `the cache directory cannot be used: ${String((error as Error).message)}`,
          },
          { cause: error },
        )
      : failure;
  }
}
