/**
 * pg-boss on PostgreSQL, as one benchmark child process, tuned as its docs suggest for
 * throughput: `insert()` in bulk, several `work()` workers each fetching a large `batchSize`,
 * at the shortest polling interval it accepts (0.5 s). A fresh schema per run, dropped after.
 *   --case burn_down --n N [--workers W --batchSize B] | --case start_latency --rate R --seconds S
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import PgBoss from 'pg-boss';
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
const lib = 'pg-boss';
const backend = 'postgres';
const url = process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `sluice_qbench_pgboss_${randomBytes(4).toString('hex')}`;
const queueName = 'bench';
// A sweep (2-16 workers, batches of 100-1000) found them all within noise of each other.
const workers = Number(args.extra.workers ?? 4);
const batchSize = Number(args.extra.batchSize ?? (args.case === 'start_latency' ? 100 : 1000));
const pollingIntervalSeconds = 0.5;
const insertChunk = Number(args.extra.chunk ?? 5000);

const config = {
  schema,
  options: { schedule: false, max: 'default (10)', pollingIntervalSeconds },
  enqueue:
    args.case === 'start_latency'
      ? 'boss.send, one job a call'
      : `boss.insert in chunks of ${insertChunk}`,
  work:
    args.case === 'start_latency'
      ? { workers: 1, batchSize }
      : { workers, batchSize, note: 'each work() call is one polling worker' },
  process: 'producer and workers share one process',
};

async function withBoss(body: (boss: PgBoss) => Promise<void>): Promise<void> {
  const boss = new PgBoss({ connectionString: url, schema, schedule: false });
  boss.on('error', (error: unknown) => note(`pg-boss error: ${String(error)}`));
  await boss.start();
  try {
    await boss.createQueue(queueName);
    await body(boss);
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

async function completed(client: pg.Client): Promise<number> {
  const result = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${schema}.job WHERE name = $1 AND state = 'completed'`,
    [queueName],
  );
  return result.rows[0]!.n;
}

async function burnDown(client: pg.Client): Promise<void> {
  const n = args.n;
  await withBoss(async (boss) => {
    const enqueueStarted = performance.now();
    await inChunks(n, insertChunk, (from, count) =>
      boss.insert(
        Array.from({ length: count }, (_, k) => ({ name: queueName, data: { i: from + k } })),
      ),
    );
    const enqueueMs = performance.now() - enqueueStarted;

    const done = new Counter();
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let w = 0; w < workers; w++) {
      await boss.work(queueName, { batchSize, pollingIntervalSeconds }, (jobs) => {
        done.add(jobs.length);
        return Promise.resolve();
      });
    }
    await done.reached(n);
    // pg-boss completes a batch after its handler resolves, without awaiting it: wait for the rows.
    await waitFor('completions in pg-boss', async () => (await completed(client)) === n, {
      everyMs: 20,
    });
    const processMs = performance.now() - started;
    const cpuS = cpuSeconds(cpu);
    await boss.offWork(queueName);
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
  });
}

async function startLatency(): Promise<void> {
  await withBoss(async (boss) => {
    let started: (payload: LatencyPayload) => void = () => undefined;
    await boss.work<LatencyPayload>(queueName, { batchSize, pollingIntervalSeconds }, (jobs) => {
      for (const job of jobs) started(job.data);
      return Promise.resolve();
    });
    const figures = await offerLoad({
      rate: args.rate,
      seconds: args.seconds,
      enqueue: (payload) => boss.send(queueName, payload),
      bind: (fn) => (started = fn),
    });
    await boss.offWork(queueName);
    report(lib, backend, 'start_latency', { ...figures, poll_ms: 500 }, config);
  });
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
