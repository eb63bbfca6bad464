/**
 * Sluice's job queue on its embedded SQLite store, as one benchmark child process.
 *   --case burn_down --n N                    bulk enqueue, then work all off
 *   --case start_latency --rate R --seconds S [--pollMs P]
 *   --case pending_1m --phase fill --db FILE --n N        enqueue N jobs, print enqueue figures
 *   --case pending_1m --phase work --db FILE --n N --after K
 *                                            start a worker on them, RSS once K are done
 * burn_down also takes --cpuProfile FILE: a V8 CPU profile of the processing phase only
 * (summarise it with bench/queue/profile.ts).
 */
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createLogger, createMetrics } from '../../src/observe/index.js';
import { Queue, QueueWorker, queueRunId, type JobRequest } from '../../src/runtime/index.js';
import { createSqliteStore, type Store } from '../../src/store/index.js';
import {
  Counter,
  cpuSeconds,
  inChunks,
  memory,
  note,
  offerLoad,
  parseArgs,
  report,
  round,
  type LatencyPayload,
} from './common.js';

const args = parseArgs();
const lib = 'sluice';
const backend = 'sqlite';
const queueName = 'bench';
const type = 'noop';
const silent = pino({ level: 'silent' });
const concurrency = Number(args.extra.concurrency ?? 1000);
const batchSize = Number(args.extra.batchSize ?? 500);
const enqueueChunk = Number(args.extra.chunk ?? 5000);
const pollMs = args.extra.pollMs === undefined ? undefined : Number(args.extra.pollMs);
/** --checkpoint inline: SQLite's own WAL checkpoint in the committing connection (the default is background). */
const checkpoint = args.extra.checkpoint === 'inline' ? 'inline' : 'background';

const config = {
  store: `createSqliteStore (WAL, synchronous=NORMAL, checkpoint: ${checkpoint})`,
  enqueue:
    args.case === 'start_latency'
      ? 'Queue.enqueue, one job a call'
      : `Queue.enqueueMany in chunks of ${enqueueChunk}`,
  worker: {
    concurrency,
    batchSize,
    pollMs: pollMs ?? 'default (50)',
    leaseMs: 'default (30000)',
    commit: 'default (maxBatch 500, maxDelayMs 5)',
  },
  process:
    args.case === 'pending_1m'
      ? 'one process fills the file, a fresh one works it'
      : 'producer and worker share one process and one store connection',
  wake: 'an enqueue in the same process wakes an idle worker at once; other processes are found by polling every pollMs (a read)',
};

/**
 * --observe on: Prometheus metrics, spans through the OpenTelemetry API (no SDK registered, so
 * the global no-op tracer, as an application that has not configured one), and info-level JSON
 * logs to /dev/null. --observe off (the default): no metrics, tracing off, logs silent.
 */
const observe = args.extra.observe === 'on';
/** --only metrics|tracing|logs (with --observe on): that one on, the others off, to attribute. */
const only = args.extra.only;
const on = (part: 'metrics' | 'tracing' | 'logs') =>
  observe && (only === undefined || only === part);

function newWorker(store: Store, handler: (payload: unknown) => void): QueueWorker {
  return new QueueWorker({
    store,
    queue: queueName,
    logger: on('logs')
      ? createLogger({ level: 'info', destination: createWriteStream('/dev/null') })
      : silent,
    ...(on('metrics') ? { metrics: createMetrics() } : {}),
    ...(on('tracing') ? {} : { tracing: false as const }),
    ...(pollMs === undefined ? {} : { pollMs }),
  }).handle(type, handler, { concurrency, batchSize });
}

async function completed(store: Store): Promise<number> {
  return (await store.counts(queueRunId(queueName)))[type]?.completed ?? 0;
}

async function enqueueAll(store: Store, n: number): Promise<number> {
  const queue = new Queue({ store, name: queueName });
  const started = performance.now();
  await inChunks(n, enqueueChunk, async (from, count) => {
    const jobs: JobRequest[] = [];
    for (let i = from; i < from + count; i++) jobs.push({ type, payload: { i } });
    await queue.enqueueMany(jobs);
  });
  return performance.now() - started;
}

/** Profiles `body` with the V8 profiler when --cpuProfile is given. */
async function profiled<T>(body: () => Promise<T>): Promise<T> {
  const file = args.extra.cpuProfile;
  if (!file) return body();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    return await body();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

async function burnDown(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-qbench-'));
  try {
    const store = await createSqliteStore({ path: join(dir, 'queue.db'), checkpoint });
    const n = args.n;
    const enqueueMs = await enqueueAll(store, n);
    const done = new Counter();
    const worker = newWorker(store, () => done.add());
    const cpu = process.cpuUsage();
    const started = performance.now();
    const running = worker.start();
    await profiled(async () => {
      await done.reached(n);
      // Handlers ran; the work is done once the store has every completion. stop() flushes the
      // group-commit buffer and resolves once the store has it (polling store.counts instead
      // would scan every row each time, on the same thread, and slow the run it measures).
      await worker.stop();
      await running;
    });
    const processMs = performance.now() - started;
    const cpuS = cpuSeconds(cpu);
    const stored = await completed(store);
    if (stored !== n) throw new Error(`${stored} of ${n} completions in the store after stop()`);
    report(
      lib,
      backend,
      'burn_down',
      {
        n,
        enqueue_per_s: Math.round(n / (enqueueMs / 1000)),
        process_per_s: Math.round(n / (processMs / 1000)),
        observe: observe ? 'on' : 'off',
        process_s: round(processMs / 1000, 2),
        client_cpu_s: cpuS,
        ...memory(),
      },
      config,
    );
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startLatency(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-qbench-'));
  try {
    const store = await createSqliteStore({ path: join(dir, 'queue.db'), checkpoint });
    const queue = new Queue({ store, name: queueName });
    let started: (payload: LatencyPayload) => void = () => undefined;
    const worker = newWorker(store, (payload) => started(payload as LatencyPayload));
    const running = worker.start();
    const figures = await offerLoad({
      rate: args.rate,
      seconds: args.seconds,
      enqueue: (payload) => queue.enqueue(type, payload),
      bind: (fn) => (started = fn),
    });
    await worker.stop();
    await running;
    report(lib, backend, 'start_latency', { ...figures, poll_ms: pollMs ?? 50 }, config);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function pendingFill(path: string): Promise<void> {
  const store = await createSqliteStore({ path });
  const enqueueMs = await enqueueAll(store, args.n);
  await store.close();
  process.stdout.write(
    `${JSON.stringify({
      phase: 'fill',
      enqueue_per_s: Math.round(args.n / (enqueueMs / 1000)),
      fill_s: round(enqueueMs / 1000, 1),
    })}\n`,
  );
}

async function pendingWork(path: string): Promise<void> {
  const after = Number(args.extra.after ?? 10_000);
  const opening = performance.now();
  // Opening reads the header and the schema (integrityCheck 'schema', the default; it ran PRAGMA
  // quick_check, reading the whole file, before): timed, as a worker's start-up.
  const store = await createSqliteStore({ path });
  const openMs = performance.now() - opening;
  const idle = memory();
  const done = new Counter();
  const worker = newWorker(store, () => done.add());
  const started = performance.now();
  const running = worker.start();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  await done.reached(after);
  const figures = { processed: done.value, ...memory() };
  const elapsed = performance.now() - started;
  clearInterval(sampler);
  await worker.stop();
  await running;
  report(
    lib,
    backend,
    'pending_1m',
    {
      pending: args.n,
      ...figures,
      sampled_peak_rss_mb: round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20),
      rss_before_start_mb: idle.rss_mb,
      open_ms: Math.round(openMs),
      db_mb: round(statSync(path).size / 2 ** 20),
      process_per_s: Math.round(done.value / (elapsed / 1000)),
    },
    config,
  );
  await store.close();
}

switch (args.case) {
  case 'burn_down':
    await burnDown();
    break;
  case 'start_latency':
    await startLatency();
    break;
  case 'pending_1m': {
    const path = args.extra.db;
    if (!path) throw new Error('--db is required for pending_1m');
    if (args.extra.phase === 'fill') await pendingFill(path);
    else if (args.extra.phase === 'work') await pendingWork(path);
    else throw new Error('--phase must be fill or work');
    break;
  }
  default:
    throw new Error(`unknown case ${args.case}`);
}
note(`${lib} ${args.case} done`);
