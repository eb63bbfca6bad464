/**
 * graphile-worker on PostgreSQL, as one benchmark child process, tuned as its performance docs
 * suggest: addJobs in bulk, a runner with `concurrency` and batching (`localQueue.size`,
 * `completeJobBatchDelay: 0`, `failJobBatchDelay: 0`), and a silent logger (its default logs a
 * line per completed job, as sluice would if its logger were not silenced). A fresh schema per
 * run, dropped after.
 *   --case burn_down --n N [--concurrency C --localQueue L] | --case start_latency --rate R --seconds S
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Logger, makeWorkerUtils, run, type RunnerOptions } from 'graphile-worker';
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
  waitFor,
  type LatencyPayload,
} from './common.js';

const args = parseArgs();
const lib = 'graphile-worker';
const backend = 'postgres';
const url = process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `sluice_qbench_gw_${randomBytes(4).toString('hex')}`;
const concurrency = Number(args.extra.concurrency ?? 100);
const localQueueSize = Number(args.extra.localQueue ?? 500);
const addChunk = Number(args.extra.chunk ?? 5000);
const maxPoolSize = Math.max(10, concurrency + 2);
const silent = new Logger(() => () => undefined);

const config = {
  schema,
  runner: { concurrency, maxPoolSize, pollInterval: 'default (2000, for future jobs only)' },
  preset: {
    worker: {
      localQueue: { size: localQueueSize },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
    },
  },
  enqueue:
    args.case === 'start_latency'
      ? 'workerUtils.addJob, one job a call'
      : `workerUtils.addJobs in chunks of ${addChunk}`,
  notify: 'new jobs wake the runner by LISTEN/NOTIFY',
  logger: 'silent',
  process: 'producer and runner share one process',
};

function runnerOptions(task: (payload: unknown) => void): RunnerOptions {
  return {
    connectionString: url,
    schema,
    concurrency,
    maxPoolSize,
    noHandleSignals: true,
    logger: silent,
    taskList: {
      noop: (payload) => {
        task(payload);
        return Promise.resolve();
      },
    },
    preset: {
      worker: {
        localQueue: { size: localQueueSize },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
  };
}

async function remaining(client: pg.Client): Promise<number> {
  const result = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${schema}._private_jobs`,
  );
  return result.rows[0]!.n;
}

async function burnDown(client: pg.Client): Promise<void> {
  const n = args.n;
  const utils = await makeWorkerUtils({ connectionString: url, schema, logger: silent });
  await utils.migrate();
  const enqueueStarted = performance.now();
  await inChunks(n, addChunk, (from, count) =>
    utils.addJobs(
      Array.from({ length: count }, (_, k) => ({ identifier: 'noop', payload: { i: from + k } })),
    ),
  );
  const enqueueMs = performance.now() - enqueueStarted;
  await utils.release();

  const done = new Counter();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const runner = await run(runnerOptions(() => done.add()));
  await done.reached(n);
  // Completed jobs are deleted, in batches after their handlers: wait until none is left.
  await waitFor('completions in graphile-worker', async () => (await remaining(client)) === 0, {
    everyMs: 20,
  });
  const processMs = performance.now() - started;
  const cpuS = cpuSeconds(cpu);
  await runner.stop();
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
}

async function startLatency(): Promise<void> {
  let started: (payload: LatencyPayload) => void = () => undefined;
  const runner = await run(runnerOptions((payload) => started(payload as LatencyPayload)));
  const utils = await makeWorkerUtils({ connectionString: url, schema, logger: silent });
  const figures = await offerLoad({
    rate: args.rate,
    seconds: args.seconds,
    enqueue: (payload) => utils.addJob('noop', payload),
    bind: (fn) => (started = fn),
  });
  await utils.release();
  await runner.stop();
  report(lib, backend, 'start_latency', figures, config);
}

const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  if (args.case === 'burn_down') await burnDown(client);
  else if (args.case === 'start_latency') await startLatency();
  else throw new Error(`unknown case ${args.case}`);
} finally {
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}
note(`${lib} ${args.case} done`);
