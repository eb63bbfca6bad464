/**
 * The news-images example end to end, as `npm run example -- news-images` runs it: the fixture
 * site, the real pipeline on SQLite, the cache on disk; a second run finds everything cached or
 * done; env overrides are checked; and the report's verdict thresholds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/testing/index.js';
import { startFixtureSite } from './fixture-site.js';
import { extractImageUrls } from './pipeline.js';
import { verdictOf } from './report.js';
import { settingsFromEnv } from './settings.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'news-images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let port = '0';
beforeAll(async () => {
  port = String(await freePort());
});

function example(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      main,
      '--db',
      join(dir, 'n.db'),
      '--cache',
      join(dir, 'cache'),
      '--fixture-port',
      port,
      ...args,
    ],
    {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('examples/news-images', () => {
  it('downloads every image of the fixture site into the cache and logs the report', () => {
    const run = example([]);
    expect(run.code).toBe(0);
    // 20 articles x 4 images (one in a srcset), plus 2 broken ones that dead-letter (404).
    expect(run.stdout).toMatch(/extracted 82, downloaded 80, cached 0, failed 2, .*: healthy/);
    const report = run.stderr.split('\n').find((l) => l.includes('news-images report'));
    expect(JSON.parse(report!)).toMatchObject({ extracted: 82, failed: 2, verdict: 'healthy' });
  });

  it('resumes as done on a second run: nothing downloaded again', () => {
    const again = example([]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/downloaded 0/);
  });

  it('refuses a bad env override, naming the variable', () => {
    const bad = example(['--fresh'], { NEWS_BREAKER_FAIL_MAX: 'five' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('NEWS_BREAKER_FAIL_MAX must be an integer >= 1, got \\"five\\"');
    expect(
      settingsFromEnv({ NEWS_BREAKER_TIMEOUT_S: '30', NEWS_CACHE_WARN_MB: '10' }),
    ).toMatchObject({
      breakerFailMax: 5,
      breakerTimeoutS: 30,
      retries: 3,
      cacheRetentionDays: 30,
      cacheWarnMb: 10,
    });
  });

  it('extracts img src and every srcset candidate, resolved against the page', async () => {
    const site = await startFixtureSite(1);
    const html = await (await fetch(`${site.url}/articles/0.html`)).text();
    await site.close();
    expect(extractImageUrls(html, `${site.url}/articles/0.html`)).toEqual([
      `${site.url}/images/lead-0.png`,
      `${site.url}/images/small-0.png`,
      `${site.url}/flaky/extra-0.png`,
      `${site.url}/images/wide-0.png`,
    ]);
  });

  it('grades the download success rate: unhealthy < 50 %, degraded 50-80 %, healthy > 80 %', () => {
    expect([0.49, 0.5, 0.8, 0.81, null].map(verdictOf)).toEqual([
      'unhealthy',
      'degraded',
      'degraded',
      'healthy',
      'healthy',
    ]);
  });
});
