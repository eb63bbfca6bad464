import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { metricValue } from '../../test/support/metric-value.js';
import { isCacheError, isInvalidConfigError } from '../errors/index.js';
import { createMetrics } from '../observe/index.js';
import { createSqliteCacheIndex, type CacheIndex } from '../store/index.js';
import { describeSqlite } from '../testing/vitest/index.js';
import { openArtifactCache } from './artifact-cache.js';
import type { ArtifactCache } from './types.js';
import { sha256Hex } from './layout.js';
import type { ArtifactCacheOptions } from './options.js';

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describeSqlite('artifact cache', (sqlite) => {
  const opened: { cache: ArtifactCache; index: CacheIndex }[] = [];
  let n = 0;
  afterEach(async () => {
    for (const { cache, index } of opened.splice(0)) {
      await cache.close();
      await index.close();
    }
  });
  const openCache = async (options: Partial<ArtifactCacheOptions> = {}) => {
    const dir = options.dir ?? `${sqlite().dir}/cache-${++n}`;
    const index =
      options.index ?? (await createSqliteCacheIndex({ path: sqlite().path, cache: `t${n}` }));
    const cache = await openArtifactCache({ cleanupIntervalMs: 0, ...options, dir, index });
    opened.push({ cache, index });
    return { cache, index, dir };
  };

  it('stores and reads back an artifact at its content-addressed, sharded path', async () => {
    const { cache, dir } = await openCache();
    const body = Buffer.from('a png, honestly');
    const hash = sha256Hex(body);
    const put = await cache.put('https://cdn.example/a.png', body, { contentType: 'image/png' });
    expect(put).toMatchObject({ contentHash: hash, size: body.length, contentType: 'image/png' });
    expect(put.path).toBe(join(dir, hash.slice(0, 2), hash.slice(2, 4), hash));
    expect(filesUnder(dir)).toEqual([`${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`]);
    const hit = await cache.get('https://cdn.example/a.png');
    expect(hit?.body.equals(body)).toBe(true);
    expect(hit?.contentType).toBe('image/png');
    expect(await cache.has('https://cdn.example/a.png')).toBe(true);
    expect(await cache.get('https://cdn.example/b.png')).toBeUndefined();
    expect(await cache.has('https://cdn.example/b.png')).toBe(false);
  });

  it('keeps the validators of a response for a conditional request later', async () => {
    const { cache } = await openCache();
    const validators = { etag: '"v1"', lastModified: 'Wed, 21 Oct 2026 07:28:00 GMT' };
    expect(await cache.put('https://h.example/p', 'page', validators)).toMatchObject(validators);
    expect(await cache.get('https://h.example/p')).toMatchObject({
      ...validators,
      contentType: null,
    });
    const handle = await cache.open('https://h.example/p');
    expect(handle).toMatchObject(validators);
    await handle!.close();
    const bad = await cache
      .put('https://h.example/p', 'x', { etag: 5 as unknown as string })
      .catch((e: unknown) => e);
    expect(isInvalidConfigError(bad) && bad.field).toBe('options.etag');
  });

  it('stores the same content once, for two URLs and for two concurrent writers', async () => {
    const { cache, dir, index } = await openCache();
    const body = Buffer.alloc(256 * 1024, 7);
    const urls = Array.from({ length: 8 }, (_, i) => `https://h.example/img/${i % 4}`);
    const puts = await Promise.all(
      urls.map((url, i) =>
        cache.put(
          url,
          i % 2 === 0 ? body : Readable.from([body.subarray(0, 1000), body.subarray(1000)]),
        ),
      ),
    );
    expect(new Set(puts.map((p) => p.path)).size).toBe(1);
    expect(filesUnder(dir)).toHaveLength(1); // and no temp file left
    expect(await index.stats(Date.now())).toMatchObject({
      entries: 4,
      files: 1,
      bytes: body.length,
    });
    for (const url of urls) expect((await cache.get(url))?.body.equals(body)).toBe(true);
  });

  it('leaves no partial entry and no temp file when the body fails half way', async () => {
    const { cache, dir, index } = await openCache();
    async function* failing() {
      yield Buffer.alloc(64 * 1024, 1);
      await Promise.resolve();
      yield Buffer.alloc(64 * 1024, 2);
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }
    const error: unknown = await cache
      .put('https://u:secret@h.example/big?token=t0k', failing())
      .catch((e: unknown) => e);
    expect(isCacheError(error) && error.code).toBe('SLUICE_CACHE_WRITE_FAILED');
    expect((error as Error).message).toMatch(
      /^cache write failed: the body failed while it was read: socket hang up \(url https:\/\/\*\*\*:\*\*\*@h\.example\/big\?token=\*\*\*, path .*\.tmp\/\d+-[0-9a-f]+\.tmp\)$/,
    );
    expect((error as Error).message).not.toMatch(/secret|t0k/);
    expect(filesUnder(dir)).toEqual([]);
    expect((await index.stats(0)).entries).toBe(0);

    // A Readable destroyed mid-way, and a chunk of the wrong type, fail the same way.
    const stream = new Readable({ read() {} });
    stream.push(Buffer.alloc(1000));
    setImmediate(() => stream.destroy(new Error('aborted')));
    await expect(cache.put('https://h.example/s', stream)).rejects.toMatchObject({
      code: 'SLUICE_CACHE_WRITE_FAILED',
    });
    await expect(
      cache.put('https://h.example/n', Readable.from([{ not: 'bytes' }])),
    ).rejects.toThrow(/the body yielded a object; chunks must be Buffers, Uint8Arrays or strings/);
    expect(filesUnder(dir)).toEqual([]);
  });

  it('refuses a bad URL and bad options, naming the field', async () => {
    const { cache } = await openCache();
    const bad = await cache.put('not a url', 'x').catch((e: unknown) => e);
    expect(isInvalidConfigError(bad) && bad.field).toBe('url');
    expect((bad as Error).message).toBe('url must be an absolute URL, got "not a url"');
    const creds = await cache.get('//u:pw@host/x').catch((e: unknown) => e);
    expect((creds as Error).message).toBe('url must be an absolute URL, got "//u:pw@host/x"');
    const index = await createSqliteCacheIndex({ path: sqlite().path });
    try {
      for (const [options, field] of [
        [{ retentionDays: -1 }, 'cache.retentionDays'],
        [{ warnThresholdMb: Number.NaN }, 'cache.warnThresholdMb'],
        [{ maxSizeMb: 0 }, 'cache.maxSizeMb'],
        [{ cleanupIntervalMs: 1.5 }, 'cache.cleanupIntervalMs'],
        [{ pinLeaseMs: 0 }, 'cache.pinLeaseMs'],
        [{ dir: '' }, 'cache.dir'],
        [{ index: {} }, 'cache.index'],
      ] as const) {
        const error: unknown = await openArtifactCache({
          dir: `${sqlite().dir}/bad`,
          index,
          ...(options as Partial<ArtifactCacheOptions>),
        }).catch((e: unknown) => e);
        expect(isInvalidConfigError(error) && error.field).toBe(field);
      }
      await expect(cache.cleanupOldEntries({ olderThanDays: -2 })).rejects.toThrow(
        'olderThanDays must be a finite number of days >= 0, got -2',
      );
    } finally {
      await index.close();
    }
  });

  it('refuses a directory that cannot be written, at open, naming the path', async () => {
    const file = `${sqlite().dir}/a-file`;
    writeFileSync(file, 'not a folder');
    const error: unknown = await openCache({ dir: `${file}/cache` }).catch((e: unknown) => e);
    expect(isCacheError(error) && error.code).toBe('SLUICE_CACHE_NOT_WRITABLE');
    expect((error as Error).message).toMatch(
      new RegExp(
        `^cache not writable: cannot write while checking that the cache directory can be written \\(ENOTDIR\\).*\\(path ${file}/cache\\)$`,
      ),
    );
  });

  it('drops an entry whose file went missing or was damaged, logging it, and counts a miss', async () => {
    const warnings: string[] = [];
    const logger = {
      info() {},
      error() {},
      warn: (_: object, message: string) => void warnings.push(message),
    };
    const metrics = createMetrics({ defaultMetrics: false });
    const { cache, index } = await openCache({ logger, metrics });
    const a = await cache.put('https://h.example/a', 'aaaa');
    const b = await cache.put('https://h.example/b', 'bbbb');
    rmSync(a.path);
    writeFileSync(b.path, 'bbbX');
    expect(await cache.get('https://h.example/a')).toBeUndefined();
    expect(await cache.get('https://h.example/b')).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringMatching(
        /^cache corrupt: entry dropped: its file is missing \(url https:\/\/h\.example\/a, path /,
      ),
      expect.stringMatching(
        /^cache corrupt: entry dropped: its file holds 4 bytes that do not hash to its name/,
      ),
    ]);
    expect((await index.stats(0)).entries).toBe(0);
    expect(existsSync(b.path)).toBe(false);
    const labels = { cache: cache.name };
    expect(await metricValue(metrics.registry, 'sluice_cache_misses_total', labels)).toBe(2);
    await cache.put('https://h.example/c', 'cc');
    await cache.get('https://h.example/c');
    expect(await metricValue(metrics.registry, 'sluice_cache_hits_total', labels)).toBe(1);
    expect(await metricValue(metrics.registry, 'sluice_cache_size_bytes', labels)).toBe(2);
    expect(await metricValue(metrics.registry, 'sluice_cache_size_warning_bytes', labels)).toBe(
      1000 * 1024 * 1024,
    );
  });

  it('serves an open handle until it is closed, even after the URL gets new content', async () => {
    const { cache, index } = await openCache();
    await cache.put('https://h.example/doc', 'version one');
    const handle = await cache.open('https://h.example/doc');
    expect(handle).toBeDefined();
    expect((await index.get(sha256Hex('https://h.example/doc')))?.pins).toBe(1);
    await cache.put('https://h.example/doc', 'version two!');
    expect((await handle!.read()).toString()).toBe('version one');
    const streamed: Buffer[] = [];
    for await (const chunk of handle!.stream()) streamed.push(chunk as Buffer);
    expect(Buffer.concat(streamed).toString()).toBe('version one');
    await handle!.close();
    await handle!.close(); // once only
    expect((await index.get(sha256Hex('https://h.example/doc')))?.pins).toBe(0);
    expect((await cache.get('https://h.example/doc'))?.body.toString()).toBe('version two!');
    expect(await cache.open('https://h.example/none')).toBeUndefined();
  });

  it('refuses every call after close()', async () => {
    const { cache } = await openCache();
    await cache.close();
    await expect(cache.get('https://h.example/a')).rejects.toMatchObject({
      code: 'SLUICE_CACHE_CLOSED',
      message: expect.stringMatching(
        /^cache closed: get\(\) was called after close\(\)/,
      ) as unknown,
    });
  });

  it('reads an existing file back byte for byte', async () => {
    const { cache } = await openCache();
    const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const put = await cache.put('https://h.example/bytes', body);
    expect(readFileSync(put.path).equals(body)).toBe(true);
  });
});
