/**
 * `npm run example -- music-library [--dir <library>]`: reads every WAV, FLAC and MP3 file under
 * the library (tags, duration, format) into the SQLite state file, with /health/live,
 * /health/ready and /metrics served while it runs. Ctrl-C (or SIGTERM) lets the files being read
 * finish, then stops; running it again goes on where it stopped.
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import {
  Runner,
  createLogger,
  createMetrics,
  createSqliteStore,
  getRunStatus,
  runUntilSignal,
} from '../../src/index.js';
import { createServer } from '../../src/server/index.js';
import { generateLibrary, soxAvailable } from './fixtures.js';
import { walkLibrary, type PriorityMode } from './library.js';
import { createMusicMetrics } from './metrics.js';
import { musicPipeline } from './pipeline.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    db: { type: 'string', default: '.sluice/music-library.db' },
    concurrency: { type: 'string', default: '8' },
    'max-inflight-mb': { type: 'string', default: '256' },
    priority: { type: 'string', default: 'size' },
    boost: { type: 'string', multiple: true, default: [] },
    port: { type: 'string', default: '9464' },
    fresh: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`music-library: ${message}\n`);
  process.exit(2);
}
const int = (name: string, text: string, min: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    fail(`--${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
  return n;
};
let dir: string;
if (values.dir === undefined) {
  // No library given: a demo one of 300 real files (needs Debian's sox), made once.
  dir = resolve('.sluice/music-library-demo');
  if (!existsSync(dir)) {
    if (!soxAvailable())
      fail('--dir <library folder> is required (or install sox for a demo library)');
    process.stderr.write(`music-library: writing a demo library of 300 files to ${dir}\n`);
    generateLibrary(dir, { count: 300, seconds: 5, broken: true });
  }
} else dir = resolve(values.dir);
try {
  accessSync(dir, constants.R_OK);
} catch {
  fail(`--dir ${dir} is not a readable folder`);
}
const concurrency = int('concurrency', values.concurrency, 1);
const maxInFlightBytes = int('max-inflight-mb', values['max-inflight-mb'], 1) * 1024 * 1024;
const port = int('port', values.port, 0);
const priority = values.priority as PriorityMode;
if (!['size', 'format', 'none'].includes(priority)) {
  fail(`--priority must be one of size, format, none; got ${JSON.stringify(values.priority)}`);
}
if (values.fresh) for (const s of ['', '-wal', '-shm']) rmSync(`${values.db}${s}`, { force: true });
mkdirSync(dirname(values.db), { recursive: true });

// Logs (JSON, one correlation ID per item: run_id + item_id) on stderr; the summary on stdout.
const logger = createLogger({ service: 'music-library', destination: pino.destination(2) });
const store = await createSqliteStore({ path: values.db });
const metrics = createMetrics();
const music = createMusicMetrics();
const pipeline = musicPipeline({ concurrency, maxInFlightBytes, metrics: music });
const runner = new Runner({ store, pipeline, logger, metrics });
const server = createServer({
  store,
  auth: false,
  logger,
  metrics: [metrics, music.registry],
  health: () => runner.health(),
  dependencyChecks: [
    {
      name: 'library',
      critical: true,
      check: () => access(dir, constants.R_OK),
    },
  ],
});
const url = await server.listen({ port });
logger.info(
  { url, library: dir, concurrency, max_inflight_mb: maxInFlightBytes / 2 ** 20 },
  'serving /health/live, /health/ready and /metrics',
);

const started = performance.now();
const progress = setInterval(() => {
  getRunStatus(store, 'library')
    .then((status) => {
      const counts = status.counts.analyze;
      if (!counts) return;
      const hours = (performance.now() - started) / 3_600_000;
      logger.info(
        {
          done: counts.completed,
          unreadable: counts.dead,
          total: counts.total,
          files_per_hour: Math.round(counts.completed / hours),
          eta_s: status.etaSeconds,
        },
        'progress',
      );
    })
    .catch(() => {}); // not seeded yet
}, 1_000);
progress.unref();

const { code, result } = await runUntilSignal(
  runner,
  { runId: 'library', seed: walkLibrary(dir, { priority, boost: values.boost }) },
  { store, deadlineMs: 10_000 },
);
clearInterval(progress);
await server.close();
const seconds = (performance.now() - started) / 1000;
const counts = result.counts.analyze;
const summary = {
  status: result.status,
  files: counts?.total ?? 0,
  read: counts?.completed ?? 0,
  unreadable: counts?.dead ?? 0,
  seconds: Math.round(seconds * 10) / 10,
  files_per_hour: Math.round(((counts?.completed ?? 0) / seconds) * 3600),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(code === 0 && summary.unreadable > 0 ? 1 : code);
