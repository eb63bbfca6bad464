import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isInvalidConfigError, isStoreClosedError } from '../errors/index.js';
import type { CacheIndex, NewCacheEntry } from './cache-index.js';

/**
 * The contract every CacheIndex backend must pass, as vitest tests: call it from the backend's
 * test file. `makeIndex(cache)` opens a NEW index (a new connection where the backend has them)
 * for the named cache on ONE shared database; each test uses caches of its own, and every index
 * opened is closed after each test.
 *
 * Not part of the package build (*.contract.ts is excluded): it needs vitest.
 */
export function cacheIndexContract(
  name: string,
  makeIndex: (cache: string) => Promise<CacheIndex>,
): void {
  describe(`cache index contract: ${name}`, () => {
    const opened: CacheIndex[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((index) => index.close()));
    });
    /** An index on a cache no other test uses (or on `cache`, for a second connection). */
    const open = async (cache = `c${randomBytes(6).toString('hex')}`) => {
      const index = await makeIndex(cache);
      opened.push(index);
      return index;
    };

    it('stores an entry and reads it back, stamped with the given time', async () => {
      const index = await open();
      expect(await index.get(sha('u1'))).toBeUndefined();
      const put = await index.put(entry('u1', 'body-1', 'image/png'), 1000);
      expect(put).toEqual({ newContent: true, orphaned: [] });
      expect(await index.get(sha('u1'))).toEqual({
        key: sha('u1'),
        url: 'https://example.test/u1',
        contentHash: sha('body-1'),
        size: 6,
        contentType: 'image/png',
        createdAt: 1000,
        lastAccessAt: 1000,
        pins: 0,
        pinnedUntil: 0,
      });
      expect(index.cache).toMatch(/^c/);
      expect(['sqlite', 'postgres']).toContain(index.backend);
    });

    it('counts a content shared by two URLs once', async () => {
      const index = await open();
      expect((await index.put(entry('a', 'same'), 1)).newContent).toBe(true);
      expect((await index.put(entry('b', 'same'), 2)).newContent).toBe(false);
      expect(await index.stats(3)).toEqual({
        entries: 2,
        files: 1,
        bytes: 4,
        pinned: 0,
        oldestAccessAt: 1,
        newestAccessAt: 2,
      });
      // Putting the same URL with the same content again is neither new nor orphans anything.
      expect(await index.put(entry('a', 'same'), 4)).toEqual({ newContent: false, orphaned: [] });
    });

    it('replacing an entry orphans its old content only when nothing else references it', async () => {
      const index = await open();
      await index.put(entry('a', 'old'), 1);
      await index.put(entry('b', 'old'), 1);
      expect(await index.put(entry('a', 'new'), 2)).toEqual({ newContent: true, orphaned: [] });
      expect(await index.put(entry('b', 'newer'), 3)).toEqual({
        newContent: true,
        orphaned: [{ contentHash: sha('old'), size: 3 }],
      });
      expect((await index.get(sha('b')))?.createdAt).toBe(3);
    });

    it('touches, and pins as a lease that only grows, counted per holder', async () => {
      const index = await open();
      expect(await index.touch(sha('a'), 5)).toBe(false);
      expect(await index.pin(sha('a'), 100, 5)).toBeUndefined();
      await index.put(entry('a', 'x'), 1);
      expect(await index.touch(sha('a'), 5)).toBe(true);
      expect((await index.get(sha('a')))?.lastAccessAt).toBe(5);

      expect(await index.pin(sha('a'), 100, 6)).toMatchObject({
        pins: 1,
        pinnedUntil: 100,
        lastAccessAt: 6,
      });
      expect(await index.pin(sha('a'), 50, 7)).toMatchObject({ pins: 2, pinnedUntil: 100 });
      expect((await index.stats(99)).pinned).toBe(1);
      expect((await index.stats(100)).pinned).toBe(0); // the lease ran out
      await index.renewPins([sha('a'), sha('zz')], 200);
      expect((await index.stats(150)).pinned).toBe(1);
      // Replacing the entry keeps its pins: a reader still holds it.
      await index.put(entry('a', 'y'), 8);
      expect(await index.get(sha('a'))).toMatchObject({ pins: 2, pinnedUntil: 200 });
      await index.unpin(sha('a'));
      await index.unpin(sha('a'));
      await index.unpin(sha('a')); // one too many: stays at zero
      expect((await index.get(sha('a')))?.pins).toBe(0);
      // renewPins leaves unpinned entries alone.
      await index.renewPins([sha('a')], 900);
      expect((await index.get(sha('a')))?.pinnedUntil).toBe(200);
    });

    it('lists by key and least recently used first, in pages, with filters', async () => {
      const index = await open();
      const names = Array.from({ length: 25 }, (_, i) => `u${i}`);
      for (const [i, n] of names.entries()) await index.put(entry(n, n), 1000 - i * 10);
      await index.pin(sha('u24'), 10_000, 5); // the oldest, accessed at 5 now, and in use

      const byKey: string[] = [];
      for (let page = await index.list({ limit: 10 }); page.length > 0;) {
        byKey.push(...page.map((e) => e.key));
        page = await index.list({ limit: 10, after: page.at(-1)! });
      }
      expect(byKey).toEqual(names.map(sha).sort());

      const lru = await index.list({ order: 'lru', limit: 3 });
      expect(lru.map((e) => e.url)).toEqual(['u24', 'u23', 'u22'].map(url));
      const next = await index.list({ order: 'lru', limit: 2, after: lru.at(-1)! });
      expect(next.map((e) => e.url)).toEqual(['u21', 'u20'].map(url));

      const old = await index.list({ order: 'lru', accessedBefore: 800, unpinnedAt: 6 });
      expect(old.map((e) => e.url)).toEqual(['u23', 'u22', 'u21'].map(url));
      const all = await index.list({ accessedBefore: 800, limit: 10_000 });
      expect(all).toHaveLength(4);
    });

    it('deletes in one transaction, keeping pinned entries when asked, and reports orphans', async () => {
      const index = await open();
      await index.put(entry('a', 'shared'), 1);
      await index.put(entry('b', 'shared'), 1);
      await index.put(entry('c', 'own'), 1);
      await index.put(entry('d', 'pinned'), 1);
      await index.pin(sha('d'), 100, 2);
      const keys = ['a', 'c', 'd', 'missing'].map(sha);

      const dry = await index.delete(keys, { unpinnedAt: 50, dryRun: true });
      expect(dry.deleted.map((e) => e.url).sort()).toEqual(['a', 'c'].map(url));
      expect(dry.orphaned).toEqual([{ contentHash: sha('own'), size: 3 }]);
      expect((await index.stats(50)).entries).toBe(4); // rolled back

      const real = await index.delete(keys, { unpinnedAt: 50 });
      expect(real).toEqual(dry);
      expect((await index.list()).map((e) => e.url).sort()).toEqual(['b', 'd'].map(url));
      // Without unpinnedAt (a repair of a broken entry) the pin does not protect it.
      expect(await index.delete([sha('d'), sha('b')])).toMatchObject({
        orphaned: expect.arrayContaining([
          { contentHash: sha('pinned'), size: 6 },
          { contentHash: sha('shared'), size: 6 },
        ]) as unknown,
      });
      expect(await index.delete([])).toEqual({ deleted: [], orphaned: [] });
      expect(await index.stats(0)).toEqual({
        entries: 0,
        files: 0,
        bytes: 0,
        pinned: 0,
        oldestAccessAt: null,
        newestAccessAt: null,
      });
    });

    it('deletes 3000 entries in one call', async () => {
      const index = await open();
      const keys = Array.from({ length: 3000 }, (_, i) => sha(`n${i}`));
      // The first 1500 contents are new; the next 1500 entries share them.
      for (const half of [0, 1500]) {
        for (let start = half; start < half + 1500; start += 50) {
          const puts = await Promise.all(
            Array.from({ length: 50 }, (_, j) =>
              index.put(entry(`n${start + j}`, `content ${(start + j) % 1500}`), start + j),
            ),
          );
          expect(puts.every((put) => put.newContent === (half === 0))).toBe(true);
        }
      }
      const started = performance.now();
      const result = await index.delete(keys, { unpinnedAt: 20_000 });
      console.log(
        `cache index (${name}): deleted 3000 entries in one call in ${(performance.now() - started).toFixed(0)} ms`,
      );
      expect(result.deleted).toHaveLength(3000);
      expect(result.orphaned).toHaveLength(1500);
      expect((await index.stats(0)).entries).toBe(0);
    }, 60_000);

    it('keeps caches apart and shares one cache between connections', async () => {
      const first = await open();
      const other = await open();
      const second = await open(first.cache);
      await first.put(entry('a', 'x'), 1);
      expect(await other.get(sha('a'))).toBeUndefined();
      expect((await second.get(sha('a')))?.size).toBe(1);
      await other.put(entry('a', 'yy'), 2);
      expect((await first.get(sha('a')))?.size).toBe(1);
      expect((await other.delete([sha('a')])).deleted).toHaveLength(1);
      expect((await second.get(sha('a')))?.size).toBe(1);
    });

    it('refuses bad arguments before any write, naming the field', async () => {
      const index = await open();
      const refusal = async (call: () => Promise<unknown>) => {
        const error: unknown = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isInvalidConfigError(error)).toBe(true);
        return isInvalidConfigError(error) ? error.field : undefined;
      };
      const good = entry('a', 'x');
      expect(await refusal(() => index.put({ ...good, key: 'ABC' }, 1))).toBe('entry.key');
      expect(await refusal(() => index.put({ ...good, contentHash: '' }, 1))).toBe(
        'entry.contentHash',
      );
      expect(await refusal(() => index.put({ ...good, size: -1 }, 1))).toBe('entry.size');
      expect(await refusal(() => index.put({ ...good, url: '' }, 1))).toBe('entry.url');
      expect(await refusal(() => index.put({ ...good, contentType: 'x'.repeat(300) }, 1))).toBe(
        'entry.contentType',
      );
      expect(await refusal(() => index.put(good, -5))).toBe('now');
      expect(await refusal(() => index.get('nope'))).toBe('key');
      expect(await refusal(() => index.delete(['nope']))).toBe('keys[0]');
      expect(await refusal(() => index.list({ limit: 0 }))).toBe('query.limit');
      expect(await refusal(() => index.list({ order: 'size' as 'key' }))).toBe('query.order');
      expect(await refusal(() => makeIndex('bad name!'))).toBe('cacheIndex.cache');
      expect(await index.stats(0)).toMatchObject({ entries: 0 });
    });

    it('refuses calls after close()', async () => {
      const index = await makeIndex('closed');
      await index.close();
      const error: unknown = await index.get(sha('a')).catch((e: unknown) => e);
      expect(isStoreClosedError(error)).toBe(true);
    });
  });
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function url(name: string): string {
  return `https://example.test/${name}`;
}

function entry(name: string, body: string, contentType?: string): NewCacheEntry {
  return {
    key: sha(name),
    url: url(name),
    contentHash: sha(body),
    size: Buffer.byteLength(body),
    ...(contentType === undefined ? {} : { contentType }),
  };
}
