/**
 * BullMQ on Redis, as one benchmark child process, tuned as its docs suggest for throughput:
 * Queue.addBulk, one Worker with a high `concurrency`, removeOnComplete so Redis does not
 * keep every finished job. A unique key prefix per run, deleted afterwards.
 *   --case burn_down --n N | --case start_latency --rate R --seconds S  [--concurrency C]
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
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
const lib = 'bullmq';
const backend = 'redis';
const redisUrl = process.env.SLUICE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sluice-qbench-${randomBytes(4).toString('hex')}`;
const queueName = 'bench';
// 50-100 beat 500-1000 on this 2-core machine (a sweep of 10..1000, see bench/RESULTS.md).
const concurrency = Number(args.extra.concurrency ?? 100);
const addChunk = Number(args.extra.chunk ?? 1000);
const connection = { url: redisUrl, maxRetriesPerRequest: null };

const config = {
  redis: redisUrl,
  prefix,
  enqueue:
    args.case === 'start_latency'
      ? 'Queue.add, one job a call'
      : `Queue.addBulk in chunks of ${addChunk}`,
  jobOptions: { removeOnComplete: true, removeOnFail: true },
  worker: { concurrency, drainDelay: 'default (5 s)', wake: 'blocking BZPOPMIN on a marker key' },
  process: 'producer and worker share one process',
};

async function cleanUp(): Promise<void> {
  // obliterate() removes the queue; this sweeps anything else under the unique prefix.
  const redis = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

async function burnDown(): Promise<void> {
  const n = args.n;
  const queue = new Queue(queueName, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
  });
  await queue.waitUntilReady();
  const enqueueStarted = performance.now();
  await inChunks(n, addChunk, (from, count) =>
    queue.addBulk(
      Array.from({ length: count }, (_, k) => ({ name: 'noop', data: { i: from + k } })),
    ),
  );
  const enqueueMs = performance.now() - enqueueStarted;

  const done = new Counter();
  const worker = new Worker(queueName, () => Promise.resolve(), {
    connection,
    prefix,
    concurrency,
    autorun: false,
  });
  // 'completed' is emitted once the job is moved to completed in Redis.
  worker.on('completed', () => done.add());
  const cpu = process.cpuUsage();
  const started = performance.now();
  void worker.run();
  await done.reached(n);
  const processMs = performance.now() - started;
  const cpuS = cpuSeconds(cpu);
  await worker.close();
  report(
    lib,
    backend,
    'burn_down',
    {
      n,
      enqueue_per_s: Math.round(n / (enqueueMs / 1000)),
      process_per_s: Math.round(n / (processMs / 1000)),
      process_s: round(processMs / 1000, 2),
      client_cpu_s: cpuS,
      ...memory(),
    },
    config,
  );
  await queue.obliterate({ force: true });
  await queue.close();
}

async function startLatency(): Promise<void> {
  const queue = new Queue(queueName, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
  });
  let started: (payload: LatencyPayload) => void = () => undefined;
  const worker = new Worker(
    queueName,
    (job) => {
      started(job.data as LatencyPayload);
      return Promise.resolve();
    },
    { connection, prefix, concurrency },
  );
  await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
  const figures = await offerLoad({
    rate: args.rate,
    seconds: args.seconds,
    enqueue: (payload) => queue.add('noop', payload),
    bind: (fn) => (started = fn),
  });
  await worker.close();
  report(lib, backend, 'start_latency', figures, config);
  await queue.obliterate({ force: true });
  await queue.close();
}

try {
  if (args.case === 'burn_down') await burnDown();
  else if (args.case === 'start_latency') await startLatency();
  else throw new Error(`unknown case ${args.case}`);
} finally {
  await cleanUp();
}
note(`${lib} ${args.case} done`);
