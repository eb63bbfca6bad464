/**
 * `npm run example -- news-images [--site URL] [--db FILE] [--cache DIR] [--fresh]`: downloads
 * the images of a news site's articles into the artifact cache, resumable. Without --site it
 * serves a local fixture site on loopback (offline). Logs the per-stage report and the health
 * verdict at the end, also when the run stopped early or items failed. Exit 0 when healthy
 * (dead images are in the report and `sluice dlq list`), 1 degraded or unhealthy, 130 / 143
 * after Ctrl-C / SIGTERM.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import {
  Runner,
  createLogger,
  createSqliteCacheIndex,
  createSqliteStore,
  openArtifactCache,
  renderRunSummary,
  runUntilSignal,
} from '../../src/index.js';
import { startFixtureSite, type FixtureSite } from './fixture-site.js';
import { newsImagesPipeline } from './pipeline.js';
import { newsImagesReport } from './report.js';
import { settingsFromEnv } from './settings.js';

const { values } = parseArgs({
  options: {
    site: { type: 'string' },
    db: { type: 'string', default: '.sluice/news-images.db' },
    cache: { type: 'string', default: '.sluice/news-images-cache' },
    fresh: { type: 'boolean', default: false },
    // A fixed port, so item IDs (URLs) are the same when a stopped run is resumed.
    'fixture-port': { type: 'string', default: '8790' },
  },
});
// Logs to stderr; stdout keeps the report.
const log = createLogger({ level: 'info', destination: pino.destination(2) }).component(
  'news-images',
);
let settings;
try {
  settings = settingsFromEnv();
} catch (error) {
  log.error((error as Error).message);
  process.exit(2);
}
if (values.fresh) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${values.db}${suffix}`, { force: true });
  rmSync(values.cache, { recursive: true, force: true });
}
mkdirSync(dirname(values.db), { recursive: true });

let fixture: FixtureSite | undefined;
const site =
  values.site ?? (fixture = await startFixtureSite(20, Number(values['fixture-port']))).url;
const store = await createSqliteStore({ path: values.db });
const index = await createSqliteCacheIndex({ path: values.db, cache: 'news-images' });
const cache = await openArtifactCache({
  dir: values.cache,
  index,
  retentionDays: settings.cacheRetentionDays,
  warnThresholdMb: settings.cacheWarnMb,
  logger: log,
});
const disk = await cache.checkDiskSpace();
for (const warning of disk.warnings) log.warn(warning);

const runner = new Runner({
  store,
  pipeline: newsImagesPipeline(cache, settings),
  logger: createLogger({ level: 'warn', destination: pino.destination(2) }).component('runtime'),
});
let code = 1;
try {
  const outcome = await runUntilSignal(runner, {
    runId: 'news-images',
    seed: [{ id: site, input: `${site}/` }],
  });
  code = outcome.code;
  const { result } = outcome;
  // The report is logged whatever happened: completed, stopped early, or with failures.
  const report = newsImagesReport(result.counts, result.summary);
  log.info({ ...report, status: result.status }, 'news-images report');
  if (result.summary) process.stdout.write(`${renderRunSummary(result.summary)}\n`);
  process.stdout.write(
    `extracted ${report.extracted}, downloaded ${report.downloaded}, cached ${report.cached}, failed ${report.failed}, breaker trips ${report.breakerTrips}, success ${report.successRate === null ? '-' : `${(report.successRate * 100).toFixed(1)}%`}, ${report.downloadsPerSecond.toFixed(1)} downloads/s: ${report.verdict}\n`,
  );
  if (code === 0 && report.verdict !== 'healthy') code = 1;
  await cache.cleanupOldEntries(); // retention: the cache logs what it removed
} finally {
  await cache.close();
  await index.close();
  await store.close();
  await fixture?.close();
}
process.exit(code);
