/**
 * The quickstart: `npm run quickstart`. Starts a flaky news service on loopback and runs the
 * pipeline on the embedded SQLite store in .sluice/quickstart.db. Press Ctrl-C at any moment and
 * run it again: it resumes where it stopped, nothing lost, nothing done twice. `--fresh` starts
 * over; `--items N` seeds N articles (default 60). With OTEL_EXPORTER_OTLP_ENDPOINT set (e.g.
 * http://localhost:4318 for Jaeger), the run's spans are exported over OTLP as well.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import {
  Runner,
  createLogger,
  createSqliteStore,
  renderRunSummary,
  runUntilSignal,
} from '../../src/index.js';
import { startTracingFromEnv } from '../shared/otel.js';
import { startFlakyService } from './flaky-service.js';
import { quickstartPipeline } from './pipeline.js';

const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    items: { type: 'string', default: '60' },
    db: { type: 'string', default: '.sluice/quickstart.db' },
  },
});
const items = Number(values.items);
if (!Number.isInteger(items) || items < 1) {
  console.error(`--items must be an integer >= 1, got ${JSON.stringify(values.items)}`);
  process.exit(2);
}
if (values.fresh) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${values.db}${suffix}`, { force: true });
}
mkdirSync(dirname(values.db), { recursive: true });

// Before the Runner exists: its tracer comes from the provider registered here.
const tracing = await startTracingFromEnv({ serviceName: 'sluice-quickstart' }).catch(
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);
if (tracing.enabled)
  console.log(`Exporting traces (OTLP ${tracing.protocol}) to ${tracing.endpoint}.`);

const service = await startFlakyService({ failureRate: 0.1 });
const store = await createSqliteStore({ path: values.db });
const pipeline = quickstartPipeline(service.url);

const existing = await store.getRun('quickstart');
if (existing?.status === 'completed') {
  console.log(
    'The quickstart run has already completed. Run `npm run quickstart -- --fresh` to start over.\n',
  );
  if (existing.summary)
    console.log(renderRunSummary(existing.summary as Parameters<typeof renderRunSummary>[0]));
  await store.close();
  await service.close();
  await tracing.shutdown();
  process.exit(0);
}
console.log(
  existing
    ? 'Resuming the quickstart run where it stopped.'
    : `Starting the quickstart run: ${items} articles from a flaky service at ${service.url}.`,
);
console.log('Press Ctrl-C to stop gracefully, then run `npm run quickstart` again to resume.\n');

const progress = setInterval(() => {
  void store.counts('quickstart').then((counts) => {
    const line = Object.entries(counts)
      .map(
        ([stage, c]) =>
          `${stage}: ${c.completed} done, ${c.pending + c.leased} to do, ${c.retry_wait} waiting to retry, ${c.dead} dead`,
      )
      .join(' | ');
    console.log(line);
  });
}, 1000);

// Failed attempts are expected here (the service is flaky on purpose) and shown in the summary;
// SLUICE_LOG_LEVEL=warn shows each one as it happens.
const logger = createLogger({ level: 'error' }).component('runtime');
const runner = new Runner({ store, pipeline, leaseMs: 10_000, logger });
const { code, result } = await runUntilSignal(
  runner,
  {
    runId: 'quickstart',
    seed: Array.from({ length: items }, (_, i) => ({ id: `article-${i}`, input: { id: i } })),
  },
  { store, deadlineMs: 5_000 },
);
clearInterval(progress);
await service.close();
// After a graceful stop too: the spans of the work done so far still go out.
await tracing.shutdown();

console.log(`\nRun ${result.runId}: ${result.status}. Service calls made: ${service.requests()}.`);
if (result.summary) console.log(renderRunSummary(result.summary));
if (result.status === 'stopped')
  console.log('Stopped early: run `npm run quickstart` again to resume.');
process.exit(code);
