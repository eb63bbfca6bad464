import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { metricValue } from '../../test/support/metric-value.js';
import { isCacheError } from '../errors/index.js';
import { createMetrics } from '../observe/index.js';
import { createSqliteCacheIndex, type CacheIndex } from '../store/index.js';
import { describeSqlite } from '../testing/vitest/index.js';
import { openArtifactCache } from './artifact-cache.js';
import type { ArtifactCache } from './types.js';
import { contentPath, sha256Hex } from './layout.js';
import type { ArtifactCacheOptions } from './options.js';

const DAY = 86_400_000;

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}
const t0 = Date.UTC(2026, 0, 1);

/** A clock the test moves by hand. */
function manualClock(start = t0) {
  let now = start;
  return {
    clock: () => now,
    set: (t: number) => void (now = t),
    advance: (ms: number) => void (now += ms),
  };
}

/** A logger that keeps what it was told, and can wait for a message. */
function recordingLogger() {
  const lines: { level: string; fields: object; message: string }[] = [];
  const waiters: { match: RegExp; resolve: () => void }[] = [];
  const log = (level: string) => (fields: object, message: string) => {
    lines.push({ level, fields, message });
    for (const w of waiters.splice(0)) {
      if (w.match.test(message)) w.resolve();
      else waiters.push(w);
    }
  };
  return {
    lines,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    next: (match: RegExp) => new Promise<void>((resolve) => waiters.push({ match, resolve })),
  };
}

describeSqlite('artifact cache cleanup', (sqlite) => {
  const opened: { cache: ArtifactCache; index: CacheIndex }[] = [];
  let n = 0;
  afterEach(async () => {
    vi.useRealTimers();
    for (const { cache, index } of opened.splice(0)) {
      await cache.close();
      await index.close();
    }
  });
  const openCache = async (options: Partial<ArtifactCacheOptions> = {}) => {
    const dir = options.dir ?? `${sqlite().dir}/cleanup-${++n}`;
    const index =
      options.index ?? (await createSqliteCacheIndex({ path: sqlite().path, cache: `c${n}` }));
    const cache = await openArtifactCache({ cleanupIntervalMs: 0, ...options, dir, index });
    opened.push({ cache, index });
    return { cache, index, dir };
  };

  it('removes entries not used within the retention, at the exact boundary, and their empty folders', async () => {
    const time = manualClock();
    const metrics = createMetrics({ defaultMetrics: false });
    const { cache, dir, index } = await openCache({ clock: time.clock, metrics });
    const old = await cache.put('https://h.example/old', 'old body');
    time.set(t0 + 10);
    const edge = await cache.put('https://h.example/edge', 'edge body');
    time.set(t0 + 5 * DAY);
    await cache.put('https://h.example/read-later', 'read later');
    time.set(t0 + 20 * DAY);
    const recent = await cache.put('https://h.example/recent', 'recent body');
    time.set(t0 + 25 * DAY);
    expect(await cache.get('https://h.example/read-later')).toBeDefined(); // an access keeps it

    time.set(t0 + 10 + 30 * DAY); // `edge` was used exactly 30 days ago: kept; `old`, 30 d + 10 ms
    const report = await cache.cleanupOldEntries();
    expect(report).toEqual({
      deleted_count: 1,
      freed_mb: Math.round((8 / 1024 / 1024) * 1000) / 1000,
      empty_dirs_removed: 2,
      errors: [],
    });
    expect(existsSync(old.path)).toBe(false);
    expect(existsSync(dirname(old.path))).toBe(false);
    expect(existsSync(dirname(dirname(old.path)))).toBe(false);
    expect(existsSync(edge.path)).toBe(true);
    time.advance(1);
    expect((await cache.cleanupOldEntries()).deleted_count).toBe(1); // now `edge` is past it
    expect(await cache.cleanupOldEntries({ olderThanDays: 0 })).toMatchObject({ deleted_count: 2 });
    expect(filesUnder(dir)).toEqual([]);
    expect((await index.stats(time.clock())).entries).toBe(0);
    expect(recent.size).toBe(11);
    const labels = { cache: cache.name };
    expect(await metricValue(metrics.registry, 'sluice_cache_evictions_total', labels)).toBe(4);
    expect(await metricValue(metrics.registry, 'sluice_cache_size_bytes', labels)).toBe(0);
  });

  it('never deletes an entry held open, and deletes it once the handle closes', async () => {
    const time = manualClock();
    const { cache } = await openCache({ clock: time.clock });
    const a = await cache.put('https://h.example/a', 'aaa');
    await cache.put('https://h.example/b', 'bbb');
    const handle = await cache.open('https://h.example/a');
    time.advance(365 * DAY); // far past the pin's lease: this process's own pin still holds
    expect(await cache.cleanupOldEntries()).toMatchObject({ deleted_count: 1 });
    expect((await handle!.read()).toString()).toBe('aaa');
    expect(existsSync(a.path)).toBe(true);
    await handle!.close();
    expect(await cache.cleanupOldEntries()).toMatchObject({ deleted_count: 1 });
    expect(existsSync(a.path)).toBe(false);
  });

  it("honours another process's pin through the index lease", async () => {
    const time = manualClock();
    const { cache, index } = await openCache({ clock: time.clock });
    await cache.put('https://h.example/a', 'aaa');
    time.advance(40 * DAY);
    await index.pin(sha256Hex('https://h.example/a'), time.clock() + 60_000, time.clock());
    time.advance(1);
    expect((await cache.cleanupOldEntries({ olderThanDays: 0 })).deleted_count).toBe(0);
    time.advance(60_000); // the other reader died: its lease ran out
    expect((await cache.cleanupOldEntries({ olderThanDays: 0 })).deleted_count).toBe(1);
  });

  it('keeps content another entry still uses, and a dry run changes nothing but tells the same', async () => {
    const time = manualClock();
    const { cache, dir } = await openCache({ clock: time.clock });
    const shared = await cache.put('https://h.example/1', 'shared');
    await cache.put('https://h.example/2', 'shared');
    const alone = await cache.put('https://h.example/3', 'alone!!');
    time.advance(31 * DAY);
    await cache.put('https://h.example/4', 'shared');
    const before = filesUnder(dir);
    const dry = await cache.cleanupOldEntries({ dryRun: true });
    expect(dry).toEqual({
      deleted_count: 3,
      freed_mb: Math.round((7 / 1024 / 1024) * 1000) / 1000,
      empty_dirs_removed: 2,
      errors: [],
    });
    expect(filesUnder(dir)).toEqual(before);
    expect(await cache.has('https://h.example/1')).toBe(true);
    expect(await cache.cleanupOldEntries()).toEqual(dry);
    expect(existsSync(shared.path)).toBe(true);
    expect(existsSync(alone.path)).toBe(false);
    expect((await cache.get('https://h.example/4'))?.body.toString()).toBe('shared');
  });

  it('evicts least recently used entries past maxSizeMb, and refuses one bigger than the cap', async () => {
    const time = manualClock();
    const metrics = createMetrics({ defaultMetrics: false });
    const cap = 10_000;
    const { cache, dir, index } = await openCache({
      clock: time.clock,
      metrics,
      maxSizeMb: cap / 1024 / 1024,
    });
    const put = async (name: string) => {
      time.advance(1000);
      return cache.put(`https://h.example/${name}`, Buffer.alloc(3000, name));
    };
    await put('a');
    await put('b');
    await put('c');
    time.advance(1000);
    await cache.get('https://h.example/a'); // a is now more recent than b
    await put('d'); // 12,000 bytes > 10,000: b goes
    expect(await cache.has('https://h.example/b')).toBe(false);
    for (const name of ['a', 'c', 'd'])
      expect(await cache.has(`https://h.example/${name}`)).toBe(true);
    expect((await index.stats(time.clock())).bytes).toBe(9000);
    const handle = await cache.open('https://h.example/c'); // c is the oldest now, but in use
    await put('e');
    expect(await cache.has('https://h.example/c')).toBe(true);
    expect(await cache.has('https://h.example/a')).toBe(false);
    await handle!.close();
    expect(
      await metricValue(metrics.registry, 'sluice_cache_evictions_total', { cache: cache.name }),
    ).toBe(2);

    const error: unknown = await cache
      .put('https://h.example/huge', Buffer.alloc(cap + 1))
      .catch((e: unknown) => e);
    expect(isCacheError(error) && error.code).toBe('SLUICE_CACHE_TOO_LARGE');
    expect((error as Error).message).toMatch(
      /the body exceeds the cache's size cap of 0\.0 MB \(maxSizeMb\)/,
    );
    expect(isCacheError(error) && error.category).toBe('non_recoverable');
    expect(filesUnder(dir).filter((f) => f.startsWith('.tmp'))).toEqual([]);
  });

  it('cleans up 10,000 entries in one call', async () => {
    const time = manualClock();
    const { cache, dir, index } = await openCache({ clock: time.clock });
    // Seeded straight into the directory and the index (put() fsyncs each file: that is not
    // what this measures), then the cache is reopened so it reads them as its own.
    const seedStarted = performance.now();
    for (let i = 0; i < 10_000; i++) {
      const body = `artifact ${i}`;
      const hash = sha256Hex(body);
      const path = contentPath(dir, hash);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, body);
      await index.put(
        {
          key: sha256Hex(`https://h.example/${i}`),
          url: `https://h.example/${i}`,
          contentHash: hash,
          size: body.length,
        },
        t0 + i,
      );
    }
    await cache.close();
    const seedMs = performance.now() - seedStarted;
    const openStarted = performance.now();
    const reopened = await openArtifactCache({
      dir,
      index,
      clock: time.clock,
      cleanupIntervalMs: 0,
    });
    const openMs = performance.now() - openStarted;
    expect(reopened.repaired).toEqual({
      tempFilesRemoved: 0,
      entriesDropped: 0,
      unreferencedFilesRemoved: 0,
    });
    time.set(t0 + 31 * DAY);
    const started = performance.now();
    const report = await reopened.cleanupOldEntries();
    const ms = performance.now() - started;
    await reopened.close();
    console.log(
      `cache cleanup of 10,000 entries: ${ms.toFixed(0)} ms (${report.empty_dirs_removed} folders removed; open with repair of 10,000 entries ${openMs.toFixed(0)} ms; seeding ${seedMs.toFixed(0)} ms)`,
    );
    expect(report.deleted_count).toBe(10_000);
    expect(report.errors).toEqual([]);
    expect(report.freed_mb).toBeGreaterThan(0.1);
    expect(filesUnder(dir)).toEqual([]);
    expect((await index.stats(time.clock())).entries).toBe(0);
  }, 120_000);

  it('runs retention, cap and disk check on its schedule, and close() stops it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const time = manualClock();
    const log = recordingLogger();
    const { cache } = await openCache({
      clock: time.clock,
      logger: log.logger,
      cleanupIntervalMs: 60_000,
      minFreeMb: 0,
    });
    await cache.put('https://h.example/a', 'aaa');
    time.advance(31 * DAY);
    const cleaned = log.next(/^cache cleanup$/);
    vi.advanceTimersByTime(60_000);
    await cleaned;
    expect(log.lines.find((l) => l.message === 'cache cleanup')?.fields).toMatchObject({
      deleted_count: 1,
      olderThanDays: 30,
      dryRun: false,
    });
    expect(vi.getTimerCount()).toBe(1);
    await cache.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('warns when the cache passes its threshold and when the volume runs low', async () => {
    const log = recordingLogger();
    const metrics = createMetrics({ defaultMetrics: false });
    const { cache, dir } = await openCache({
      logger: log.logger,
      metrics,
      warnThresholdMb: 0.001,
      minFreeMb: 0,
    });
    expect(await cache.checkDiskSpace()).toMatchObject({
      ok: true,
      overThreshold: false,
      lowFreeSpace: false,
      warnings: [],
    });
    await cache.put('https://h.example/a', Buffer.alloc(2000));
    const over = await cache.checkDiskSpace();
    expect(over).toMatchObject({
      ok: false,
      overThreshold: true,
      lowFreeSpace: false,
      cacheBytes: 2000,
      warnThresholdMb: 0.001,
    });
    expect(over.warnings).toEqual([
      `the cache at ${dir} holds 0.002 MB, over its warning threshold of 0.001 MB (warnThresholdMb); run cleanup or lower retentionDays`,
    ]);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual(
      over.warnings,
    );
    expect(over.freeMb).toBeGreaterThan(0);
    expect(over.volumeMb).toBeGreaterThanOrEqual(over.freeMb);
    expect(
      await metricValue(metrics.registry, 'sluice_cache_size_warning_bytes', { cache: cache.name }),
    ).toBe(Math.floor(0.001 * 1024 * 1024));

    const { cache: tight } = await openCache({ logger: log.logger, minFreeMb: 1e12 });
    const low = await tight.checkDiskSpace();
    expect(low).toMatchObject({ ok: false, overThreshold: false, lowFreeSpace: true });
    expect(low.warnings[0]).toMatch(
      /^the volume of .* has [\d.]+ MB free of [\d.]+ MB, under the minimum of 1000000000000 MB \(minFreeMb\)$/,
    );
  });

  it("on open, removes a dead writer's temp file and unreferenced old files, and drops entries without a file", async () => {
    const { cache, dir, index } = await openCache();
    const kept = await cache.put('https://h.example/kept', 'kept');
    const lost = await cache.put('https://h.example/lost', 'lost');
    await cache.close();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid; // exited: its pid is free
    const tempOf = (pid: number) => join(dir, '.tmp', `${pid}-0123abcd.tmp`);
    writeFileSync(tempOf(dead), 'half a write');
    writeFileSync(tempOf(process.pid), 'not an active write of ours');
    writeFileSync(tempOf(process.ppid), 'a live process is writing this');
    const stray = contentPath(dir, sha256Hex('stray'));
    const young = contentPath(dir, sha256Hex('young'));
    for (const path of [stray, young]) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, 'x');
    }
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(stray, hourAgo, hourAgo);
    rmSync(lost.path);

    const log = recordingLogger();
    const reopened = await openArtifactCache({
      dir,
      index,
      logger: log.logger,
      cleanupIntervalMs: 0,
    });
    expect(reopened.repaired).toEqual({
      tempFilesRemoved: 2,
      entriesDropped: 1,
      unreferencedFilesRemoved: 1,
    });
    expect(existsSync(tempOf(dead)) || existsSync(tempOf(process.pid))).toBe(false);
    expect(existsSync(tempOf(process.ppid))).toBe(true);
    expect(existsSync(stray)).toBe(false);
    expect(existsSync(young)).toBe(true);
    expect(existsSync(kept.path)).toBe(true);
    expect(await reopened.has('https://h.example/kept')).toBe(true);
    expect(await index.get(sha256Hex('https://h.example/lost'))).toBeUndefined();
    expect(log.lines.map((l) => l.message)).toEqual([
      'cache repaired on open: removed what an interrupted write or a lost file left',
    ]);
    await reopened.close();
  });
});
