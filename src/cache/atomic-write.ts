import { createHash } from 'node:crypto';
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { CacheError } from '../errors/index.js';
import { cacheFsError } from './fs-errors.js';
import { activeTempFiles, contentPath, newTempPath } from './layout.js';

/** What `put` accepts: the whole body, or a stream of it (a Readable is an AsyncIterable). */
export type CacheBody = Buffer | Uint8Array | string | Readable | AsyncIterable<unknown>;

export interface WrittenContent {
  readonly contentHash: string;
  readonly size: number;
  readonly path: string;
  /** False when the same content was already on disk (the temp file was dropped). */
  readonly renamed: boolean;
}

export interface WriteLimits {
  /** Refuse a body larger than this (the cache's size cap), before it fills the disk. */
  readonly maxBytes?: number;
  /** Called with the content hash once known and until the caller's index write is done. */
  readonly reserve: (contentHash: string) => void;
}

/**
 * Writes a body into the cache directory so that a reader (or a crash) can never see part of
 * it: into a temp file in <dir>/.tmp, hashing as it goes; fsync; then rename into its
 * content-addressed place and fsync the folder, so the name survives a power loss too. Any
 * failure removes the temp file before the CacheError is thrown; a SIGKILL leaves the temp
 * file, which the next open removes (its writer's pid is dead).
 */
export async function writeContent(
  dir: string,
  body: CacheBody,
  url: string,
  limits: WriteLimits,
): Promise<WrittenContent> {
  // A stream that fails before we start reading it (while the temp file opens) would otherwise
  // emit an unhandled 'error' and take the process down; its iterator still reports the error.
  if (isEmitter(body)) body.on('error', ignore);
  const temp = newTempPath(dir);
  activeTempFiles.add(temp);
  let handle: FileHandle | undefined;
  try {
    try {
      handle = await open(temp, 'wx', 0o644);
    } catch (error) {
      throw cacheFsError(error, 'creating a temp file', temp, url);
    }
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of chunks(body, url, temp)) {
      size += chunk.byteLength;
      if (limits.maxBytes !== undefined && size > limits.maxBytes) {
        throw new CacheError('too_large', {
          url,
          path: temp,
          detail: `the body exceeds the cache's size cap of ${formatMb(limits.maxBytes)} (maxSizeMb)`,
        });
      }
      hash.update(chunk);
      try {
        await writeAll(handle, chunk);
      } catch (error) {
        throw cacheFsError(error, `writing after ${formatMb(size - chunk.byteLength)}`, temp, url);
      }
    }
    try {
      await handle.sync();
      await handle.close();
      handle = undefined;
    } catch (error) {
      throw cacheFsError(error, 'flushing the temp file', temp, url);
    }
    const contentHash = hash.digest('hex');
    limits.reserve(contentHash);
    const path = contentPath(dir, contentHash);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isFile() && existing.size === size) {
      // The same content is already stored: keep that file, drop ours.
      await unlink(temp).catch(() => undefined);
      return { contentHash, size, path, renamed: false };
    }
    try {
      const created = await mkdir(dirname(path), { recursive: true });
      await rename(temp, path);
      await syncDir(dirname(path));
      // New shard folders must themselves be durable entries of their parents.
      if (created !== undefined) {
        await syncDir(dirname(dirname(path)));
        if (created !== dirname(path)) await syncDir(dir);
      }
    } catch (error) {
      throw cacheFsError(error, 'moving the file into place', path, url);
    }
    return { contentHash, size, path, renamed: true };
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    activeTempFiles.delete(temp);
  }
}

async function* chunks(body: CacheBody, url: string, temp: string): AsyncGenerator<Uint8Array> {
  if (typeof body === 'string') {
    yield Buffer.from(body);
    return;
  }
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  if (typeof body !== 'object' || body === null || !(Symbol.asyncIterator in body)) {
    throw new CacheError('write_failed', {
      url,
      detail: 'the body must be a Buffer, a string, a Readable or an AsyncIterable of chunks',
    });
  }
  const iterator = body[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await iterator.next();
      } catch (error) {
        done = true; // a failed stream is finished: nothing to return
        throw new CacheError(
          'write_failed',
          {
            url,
            path: temp,
            detail: `the body failed while it was read: ${error instanceof Error ? error.message : String(error)}`,
          },
          { cause: error },
        );
      }
      if (next.done === true) {
        done = true;
        return;
      }
      const chunk = next.value;
      if (typeof chunk === 'string') yield Buffer.from(chunk);
      else if (chunk instanceof Uint8Array) yield chunk;
      else {
        throw new CacheError('write_failed', {
          url,
          path: temp,
          detail: `the body yielded a ${chunk === null ? 'null' : typeof chunk}; chunks must be Buffers, Uint8Arrays or strings`,
        });
      }
    }
  } finally {
    // Stopped early (a write failed, the cap was hit): let the source release what it holds
    // (a Readable is destroyed).
    if (!done) await iterator.return?.();
  }
}

function isEmitter(body: CacheBody): body is Readable {
  return typeof (body as Partial<Readable>).on === 'function';
}

function ignore(): void {}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

export async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
