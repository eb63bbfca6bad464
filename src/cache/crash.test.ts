import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { classify, isCacheError } from '../errors/index.js';
import { createSqliteCacheIndex, type CacheIndex } from '../store/index.js';
import { describeSqlite } from '../testing/vitest/index.js';
import { openArtifactCache } from './artifact-cache.js';
import type { ArtifactCache } from './types.js';
import { sha256Hex } from './layout.js';

const writer = fileURLToPath(new URL('../../test/fixtures/cache-writer.ts', import.meta.url));

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describeSqlite('artifact cache crash', (sqlite) => {
  it('three processes writing the same content at once store one file and three entries', async () => {
    const dir = `${sqlite().dir}/shared`;
    const urls = [1, 2, 3].map((i) => `https://mirror${i}.example/same.bin`);
    const children = urls.map((url) =>
      spawn(process.execPath, ['--import', 'tsx', writer, sqlite().path, dir, url], {
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    );
    onTestFinished(() => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
    const codes = await Promise.all(
      children.map(async (c) => (await once(c, 'exit'))[0] as number),
    );
    expect(codes).toEqual([0, 0, 0]);
    const content = Buffer.alloc(4 * 1024 * 1024, 'same content ');
    const hash = sha256Hex(content);
    expect(filesUnder(dir)).toEqual([`${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`]);
    const index = await createSqliteCacheIndex({ path: sqlite().path });
    const cache = await openArtifactCache({ dir, index, cleanupIntervalMs: 0 });
    try {
      expect(await index.stats(Date.now())).toMatchObject({
        entries: 3,
        files: 1,
        bytes: content.length,
      });
      for (const url of urls) expect((await cache.get(url))?.body.equals(content)).toBe(true);
    } finally {
      await cache.close();
      await index.close();
    }
  });

  it('a writer SIGKILLed mid-write leaves no entry, and its temp file is gone after the next open', async () => {
    const dir = `${sqlite().dir}/killed`;
    const child = spawn(process.execPath, ['--import', 'tsx', writer, sqlite().path, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('writing\n')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`the writer exited (${code}) before writing`)));
    });
    const temps = readdirSync(join(dir, '.tmp'));
    expect(temps).toEqual([expect.stringMatching(new RegExp(`^${child.pid}-[0-9a-f]+\\.tmp$`))]);
    child.kill('SIGKILL');
    const [, signal] = (await exited) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    expect(filesUnder(dir)).toEqual([`.tmp/${temps[0]}`]); // what the kill left

    const index = await createSqliteCacheIndex({ path: sqlite().path });
    const cache = await openArtifactCache({ dir, index, cleanupIntervalMs: 0 });
    try {
      expect(cache.repaired.tempFilesRemoved).toBe(1);
      expect(filesUnder(dir)).toEqual([]);
      expect(await index.get(sha256Hex('https://cdn.example/huge.bin'))).toBeUndefined();
      expect(await cache.get('https://cdn.example/huge.bin')).toBeUndefined();
    } finally {
      await cache.close();
      await index.close();
    }
  });
});

/**
 * A small tmpfs makes "disk full" and "read-only" real: mount needs root (these tests run as
 * root here); elsewhere they are skipped, saying why.
 */
const mountPoint = `/tmp/sluice-cache-tmpfs-${process.pid}`;
const mountProblem = (() => {
  mkdirSync(mountPoint, { recursive: true });
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], {
    encoding: 'utf8',
  });
  if (result.status === 0) return undefined;
  rmdirSync(mountPoint);
  return `mount -t tmpfs failed (${(result.stderr || result.error?.message || `exit ${result.status}`).trim()})`;
})();
if (mountProblem !== undefined) {
  console.log(`skipping the disk-full and read-only cache tests: ${mountProblem}`);
}

describe.skipIf(mountProblem !== undefined)('artifact cache on a 2 MB tmpfs', () => {
  const opened: { cache: ArtifactCache; index: CacheIndex }[] = [];
  let n = 0;
  const dbDir = `${mountPoint}-db`;
  afterEach(async () => {
    for (const { cache, index } of opened.splice(0)) {
      await cache.close();
      await index.close();
    }
  });
  afterAll(() => {
    spawnSync('umount', [mountPoint]);
    rmdirSync(mountPoint);
    spawnSync('rm', ['-rf', dbDir]);
  });
  const openOn = async (dir: string) => {
    mkdirSync(dbDir, { recursive: true });
    // The index lives off the tmpfs: only the cache's files fill it.
    const index = await createSqliteCacheIndex({ path: `${dbDir}/sluice.db`, cache: `t${++n}` });
    const cache = await openArtifactCache({ dir, index, cleanupIntervalMs: 0, minFreeMb: 0 }).catch(
      async (error: unknown) => {
        await index.close();
        throw error;
      },
    );
    opened.push({ cache, index });
    return { cache, index };
  };

  it('a write that fills the disk fails with DISK_FULL, recoverable, leaving nothing behind', async () => {
    const dir = `${mountPoint}/full`;
    const { cache, index } = await openOn(dir);
    await cache.put('https://h.example/small', Buffer.alloc(512 * 1024, 1));
    const error: unknown = await cache
      .put('https://user:pw@h.example/big.iso', Buffer.alloc(3 * 1024 * 1024, 2))
      .catch((e: unknown) => e);
    expect(isCacheError(error) && error.code).toBe('SLUICE_CACHE_DISK_FULL');
    expect(classify(error).category).toBe('recoverable');
    expect((error as Error).message).toMatch(
      new RegExp(
        `^cache disk full: no space left while writing after 0\\.0 MB \\(ENOSPC\\) \\(url https://\\*\\*\\*:\\*\\*\\*@h\\.example/big\\.iso, path ${dir}/\\.tmp/${process.pid}-[0-9a-f]+\\.tmp\\)$`,
      ),
    );
    expect(filesUnder(dir).filter((f) => f.startsWith('.tmp'))).toEqual([]);
    expect(await cache.has('https://user:pw@h.example/big.iso')).toBe(false);
    expect((await index.stats(Date.now())).entries).toBe(1);
    // The space came back: a write that fits still works.
    const fits = await cache.put('https://h.example/fits', Buffer.alloc(1024 * 1024, 3));
    expect(fits.size).toBe(1024 * 1024);
    expect((await cache.checkDiskSpace()).freeMb).toBeLessThan(1);
  });

  it('a read-only directory is NOT_WRITABLE: at open, and for a put after a remount', async () => {
    const dir = `${mountPoint}/ro`;
    const { cache } = await openOn(dir);
    expect(spawnSync('mount', ['-o', 'remount,ro', mountPoint]).status).toBe(0);
    try {
      const error: unknown = await cache.put('https://h.example/a', 'x').catch((e: unknown) => e);
      expect(isCacheError(error) && error.code).toBe('SLUICE_CACHE_NOT_WRITABLE');
      expect(classify(error).category).toBe('non_recoverable');
      expect((error as Error).message).toMatch(
        /^cache not writable: cannot write while creating a temp file \(EROFS\): .* \(url https:\/\/h\.example\/a, path .*\.tmp\)$/,
      );
      const refused: unknown = await openOn(dir).catch((e: unknown) => e);
      expect(isCacheError(refused) && refused.code).toBe('SLUICE_CACHE_NOT_WRITABLE');
      expect((refused as Error).message).toMatch(
        new RegExp(
          `^cache not writable: cannot write while checking that the cache directory can be written \\(EROFS\\): .* \\(path ${dir}\\)$`,
        ),
      );
    } finally {
      spawnSync('mount', ['-o', 'remount,rw', mountPoint]);
    }
  });
});
