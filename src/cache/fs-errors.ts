import { CacheError } from '../errors/index.js';

const notWritable = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ELOOP']);
const diskFull = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/**
 * Turns a file-system error of the cache into a CacheError naming the URL and the path: no
 * space is `disk_full`, a directory that cannot be written (a path under a file, a read-only
 * mount, permissions) is `not_writable`, anything else `write_failed`. Our own errors pass.
 */
export function cacheFsError(error: unknown, what: string, path: string, url?: string): CacheError {
  if (error instanceof CacheError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  const details = { path, ...(url === undefined ? {} : { url }) };
  if (code !== undefined && diskFull.has(code)) {
    return new CacheError(
      'disk_full',
      { ...details, detail: `no space left while ${what} (${code})` },
      { cause: error },
    );
  }
  if (code !== undefined && notWritable.has(code)) {
    return new CacheError(
      'not_writable',
      { ...details, detail: `cannot write while ${what} (${code}): ${reason}` },
      { cause: error },
    );
  }
  return new CacheError(
    'write_failed',
    { ...details, detail: `${what} failed: ${reason}` },
    { cause: error },
  );
}

export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
