/**
 * The process every drill starts (and kills): a two-stage fan-out pipeline on the store given
 * in the JSON config (argv[2]). It appends to the ledger file one line per handler start
 * (`exec <stage> <id>`) and, after each group commit, one line per completion the store applied
 * (`commit <stage> <id>`), so the drill can count executions and completions from outside: an
 * item with two `commit` lines was committed twice. Prints `ready` once the store is open and
 * `result <json>` when the run ends; exits with runUntilSignal's code (0, 130, 143).
 */
import { appendFileSync } from 'node:fs';
import { pino } from 'pino';
import { definePipeline, Runner, runUntilSignal, stage } from '../../src/runtime/index.js';
import { createSqliteStore, type Store } from '../../src/store/index.js';
import {
  RedisCoordination,
  SharedStateLink,
  createRedisClient,
} from '../../src/coordination/redis/index.js';

export interface DrillWorkerConfig {
  /** SQLite file path. */
  readonly db: string;
  readonly ledger: string;
  readonly runId: string;
  /** Seed items (articles); each fans out to `fanout` images. */
  readonly articles: number;
  readonly fanout: number;
  /** Handler time of the second stage, ms (0: a tick). */
  readonly workMs: number;
  readonly leaseMs: number;
  /** SIGTERM / SIGINT: how long in-flight items get to finish. */
  readonly deadlineMs: number;
  /**
   * Share the `images` service's rate limit (`ratePerSecond`) and breaker through this Redis;
   * the worker prints `fallback` and `rejoin` lines when the link flips.
   */
  readonly redisUrl?: string;
  readonly ratePerSecond?: number;
}

const config = JSON.parse(process.argv[2]!) as DrillWorkerConfig;
const store: Store = await createSqliteStore({ path: config.db, busyTimeoutMs: 10_000 });
const log = (line: string): void => appendFileSync(config.ledger, line);
const wait = (ms: number) =>
  new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

let coordination: SharedStateLink | undefined;
if (config.redisUrl) {
  const client = createRedisClient({ url: config.redisUrl, commandTimeoutMs: 250 });
  await client.connect();
  coordination = new SharedStateLink({
    backend: new RedisCoordination({ client }),
    rejoinIntervalMs: 200,
  });
  coordination.onFallback(() => process.stdout.write(`fallback ${Date.now()}\n`));
  coordination.onRejoin(() => process.stdout.write(`rejoin ${Date.now()}\n`));
}

const pipeline = definePipeline({
  name: 'drill',
  version: '1',
  services: {
    images: {
      ...(config.ratePerSecond ? { rateLimit: { ratePerSecond: config.ratePerSecond } } : {}),
      circuitBreaker: { window: { kind: 'time', seconds: 5 } },
    },
  },
  stages: [
    stage({
      name: 'article',
      concurrency: 16,
      handler: async (n: number, ctx) => {
        log(`exec article ${ctx.itemId}\n`);
        await wait(0);
        ctx.emit(
          Array.from({ length: config.fanout }, (_, i) => ({
            id: `${ctx.itemId}/${i}`,
            input: n * config.fanout + i,
          })),
        );
        return n;
      },
    }),
    stage({
      name: 'image',
      concurrency: 32,
      handler: async (n: number, ctx) => {
        log(`exec image ${ctx.itemId}\n`);
        return ctx.call('images', async () => {
          await wait(config.workMs);
          return n * 2;
        });
      },
    }),
  ],
});

const runner = new Runner({
  store,
  pipeline,
  leaseMs: config.leaseMs,
  pollMs: 20,
  logger: pino({ level: 'silent' }),
  ...(coordination ? { coordination } : {}),
  onCommitted: (applied) => {
    let lines = '';
    for (const outcome of applied) {
      if (outcome.kind === 'complete')
        lines += `commit ${outcome.lease.stage} ${outcome.lease.id}\n`;
    }
    if (lines) log(lines);
  },
});
process.stdout.write('ready\n');
const { code, result } = await runUntilSignal(
  runner,
  {
    runId: config.runId,
    seed: Array.from({ length: config.articles }, (_, i) => ({ id: `a${i}`, input: i })),
  },
  { store, deadlineMs: config.deadlineMs },
);
coordination?.close();
process.stdout.write(`result ${JSON.stringify(result ?? null)}\n`);
process.exit(code);
