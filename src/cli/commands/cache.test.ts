import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { openArtifactCache } from '../../cache/index.js';
import {
  createSqliteCacheIndex,
  migrateSqlite,
  openSqlite,
  sqliteMigrations,
} from '../../store/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';

/** The real `sluice` bin in a child process, as operators run it. */
const bin = fileURLToPath(new URL('../bin.ts', import.meta.url));

async function sluice(args: readonly string[]) {
  const { SLUICE_DB: _db, SLUICE_CACHE_DIR: _dir, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
    env: inherited,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

const DAY = 86_400_000;

describeSqlite('sluice cache', (sqlite) => {
  let dir: string;
  const paths: string[] = [];
  beforeAll(async () => {
    dir = `${sqlite().dir}/cache`;
    openSqlite(sqlite().path).close(); // `sluice migrate`
    const index = await createSqliteCacheIndex({ path: sqlite().path });
    // Two entries last used 40 days ago, one an hour ago (the bin's clock is the real one).
    let now = Date.now() - 40 * DAY;
    const cache = await openArtifactCache({ dir, index, clock: () => now, cleanupIntervalMs: 0 });
    paths.push((await cache.put('https://u:pw@h.example/old-1', 'old one')).path);
    paths.push((await cache.put('https://h.example/old-2', 'old two')).path);
    now = Date.now() - 3_600_000;
    paths.push((await cache.put('https://h.example/new', 'new!')).path);
    await cache.close();
    await index.close();
  });
  const flags = () => ['--db', sqlite().path, '--dir', dir];

  it('stats: entries, bytes and the disk verdict, as JSON and as text', async () => {
    const json = await sluice(['cache', 'stats', ...flags(), '--json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const stats = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(stats).toMatchObject({
      cache: 'default',
      dir,
      entries: 3,
      files: 3,
      bytes: 18,
      pinned: 0,
    });
    expect(stats.disk).toMatchObject({
      cacheBytes: 18,
      warnThresholdMb: 1000,
      overThreshold: false,
    });

    const text = await sluice(['cache', 'stats', ...flags()]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(
        `^Cache default at ${dir} \\(index in ${sqlite().path}\\)\nentries      3 \\(0 in use\\)\nfiles        3\nsize         0\\.0 MB \\(warning at 1000 MB\\)\nlast access  oldest \\d{4}-.*Z, newest \\d{4}-.*Z\nvolume       [\\d,]+ MB free of [\\d,]+ MB\n`,
      ),
    );
  });

  it('cleanup: a dry run changes nothing, then the real one removes the old entries', async () => {
    const dry = await sluice([
      'cache',
      'cleanup',
      ...flags(),
      '--older-than',
      '30d',
      '--dry-run',
      '--json',
    ]);
    expect(dry.stderr).toBe('');
    expect(JSON.parse(dry.stdout)).toEqual({
      deleted_count: 2,
      freed_mb: 0,
      empty_dirs_removed: 4,
      errors: [],
      dry_run: true,
      older_than_days: 30,
    });
    expect(paths.every((path) => existsSync(path))).toBe(true);

    const real = await sluice(['cache', 'cleanup', ...flags()]);
    expect(real.stderr).toBe('');
    expect(real.code).toBe(0);
    expect(real.stdout).toBe(
      'deleted 2 entries last used over 30 days ago, freed 0 MB, removed 4 folders\n',
    );
    expect(paths.map((path) => existsSync(path))).toEqual([false, false, true]);
    const after = await sluice(['cache', 'stats', ...flags(), '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject({ entries: 1, bytes: 4 });
  });

  it('refuses a bad --older-than naming the flag and the format, before opening anything', async () => {
    const { code, stdout, stderr } = await sluice([
      'cache',
      'cleanup',
      ...flags(),
      '--older-than',
      '30x',
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      "error: option '--older-than <age>' argument '30x' is invalid. --older-than must be a duration like 30d, 12h or 90m (a number followed by d, h or m), got 30x\n",
    );
  });

  it('refuses a database at an older schema, pointing at sluice migrate, and a missing cache directory', async () => {
    const old = `${sqlite().dir}/old.db`;
    const db = new Database(old);
    migrateSqlite(db, sqliteMigrations.slice(0, 5));
    db.close();
    const outdated = await sluice(['cache', 'stats', '--db', old, '--dir', dir]);
    expect(outdated.code).toBe(1);
    expect(outdated.stderr).toBe(
      `sluice: ${old} has schema version 5, older than this Sluice's ${sqliteMigrations.length}; run \`sluice migrate --db ${old}\` to upgrade it first (SLUICE_SCHEMA_OUTDATED)\n`,
    );
    const missing = `${sqlite().dir}/no-cache-here`;
    const none = await sluice(['cache', 'cleanup', '--db', sqlite().path, '--dir', missing]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      `sluice: no cache directory at ${missing} (--dir or SLUICE_CACHE_DIR picks it) (SLUICE_NO_CACHE)\n`,
    );
    expect(existsSync(missing)).toBe(false);
    mkdirSync(missing); // and an empty one is an empty cache, not an error
    expect(
      (
        await sluice([
          'cache',
          'stats',
          '--db',
          sqlite().path,
          '--dir',
          missing,
          '--cache',
          'other',
          '--json',
        ])
      ).code,
    ).toBe(0);
  });
});
