import { pino } from 'pino';
import { expect, it } from 'vitest';
import { HttpStatusError } from '../errors/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import { describeSqlite } from '../testing/vitest/index.js';
import { definePipeline } from './define-pipeline.js';
import { Runner } from './runner.js';
import { getRunStatus } from './status.js';
import { paginated } from './sources.js';
import { stage } from './stage.js';

const silent = pino({ level: 'silent' });

interface Article {
  readonly url: string;
  readonly images: number;
}

function newsPipeline(seen: string[]) {
  return definePipeline({
    name: 'news',
    version: '1',
    stages: [
      stage({
        name: 'extract',
        concurrency: 4,
        handler: (article: Article, ctx) => {
          seen.push(`extract:${ctx.itemId}`);
          ctx.emit(
            Array.from({ length: article.images }, (_, i) => ({
              id: `${ctx.itemId}/img${i}`,
              input: { src: `${article.url}/img${i}.jpg` },
            })),
          );
          return { count: article.images };
        },
      }),
      stage({
        name: 'download',
        concurrency: 8,
        handler: (image: { src: string }, ctx) => {
          seen.push(`download:${ctx.itemId}`);
          return { bytes: image.src.length };
        },
      }),
    ],
  });
}

describeSqlite('runner', (sqlite) => {
  let store: Store;
  const open = async (): Promise<Store> =>
    (store = await createSqliteStore({ path: sqlite().path }));

  it('runs seeded items through two stages with fan-out, each once', async () => {
    await open();
    const seen: string[] = [];
    const runner = new Runner({ store, pipeline: newsPipeline(seen), logger: silent });
    const seed = Array.from({ length: 20 }, (_, i) => ({
      id: `a${i}`,
      input: { url: `https://news.example/${i}`, images: i % 4 },
    }));
    const result = await runner.run({ runId: 'r1', seed });
    expect(result.status).toBe('completed');
    expect(result.counts.extract?.completed).toBe(20);
    const images = seed.reduce((sum, s) => sum + s.input.images, 0);
    expect(result.counts.download?.completed).toBe(images);
    expect(seen.filter((s) => s.startsWith('download:'))).toHaveLength(images);
    const item = await store.getItem({ runId: 'r1', stage: 'download', id: 'a3/img2' });
    expect(item).toMatchObject({
      state: 'completed',
      output: { bytes: 'https://news.example/3/img2.jpg'.length },
    });
    expect((await store.getRun('r1'))?.status).toBe('completed');

    // Running the same run again with the same seed does nothing twice.
    const again = await new Runner({ store, pipeline: newsPipeline(seen), logger: silent }).run({
      runId: 'r1',
      seed,
    });
    expect(again.counts.download?.completed).toBe(images);
    expect(seen.filter((s) => s.startsWith('download:'))).toHaveLength(images);
    await store.close();
  });

  it('retries recoverable failures with backoff and dead-letters non-recoverable ones', async () => {
    await open();
    let calls = 0;
    const pipeline = definePipeline({
      name: 'flaky',
      version: '1',
      stages: [
        stage({
          name: 'fetch',
          concurrency: 2,
          retry: { maxAttempts: 3, backoff: { initialMs: 1, jitter: 'none' } },
          handler: (n: number) => {
            calls += 1;
            if (n === 404) throw new HttpStatusError(404);
            if (n === 500) throw new HttpStatusError(503);
            // eslint-disable-next-line @typescript-eslint/only-throw-error -- users do throw strings
            if (n === 1) throw 'plain string failure';
            return n * 2;
          },
        }),
      ],
    });
    const result = await new Runner({ store, pipeline, logger: silent, pollMs: 5 }).run({
      runId: 'r2',
      seed: [404, 500, 7, 1].map((n) => ({ id: `n${n}`, input: n })),
    });
    expect(result.counts.fetch).toMatchObject({ completed: 1, dead: 3 });
    const dead = await store.deadLetters({ runId: 'r2' });
    const byId = Object.fromEntries(dead.items.map((d) => [d.id, d]));
    expect(byId.n404).toMatchObject({ category: 'non_recoverable', attempt: 1 });
    expect(byId.n500).toMatchObject({ category: 'recoverable', attempt: 3 });
    expect(byId.n1?.error).toContain('plain string failure');
    expect(await store.retryHistory({ runId: 'r2', stage: 'fetch', id: 'n500' })).toHaveLength(2);
    expect(calls).toBe(1 + 3 + 1 + 3);
    await store.close();
  });

  it('resumes a paginated source at the page where it stopped', async () => {
    await open();
    const fetched: number[] = [];
    const pipeline = definePipeline({
      name: 'pages',
      version: '1',
      stages: [stage({ name: 'keep', handler: (n: number) => n })],
    });
    const source = (failOn?: number) =>
      // eslint-disable-next-line @typescript-eslint/require-await -- stands in for an HTTP API
      paginated<number>(async (cursor) => {
        const page = (cursor as number | undefined) ?? 0;
        fetched.push(page);
        if (page === failOn) throw new Error('API down');
        return {
          items: [0, 1, 2].map((i) => ({ id: `p${page}-${i}`, input: page * 3 + i })),
          next: page < 4 ? page + 1 : undefined,
        };
      });
    const runner = new Runner({ store, pipeline, logger: silent });
    await expect(runner.run({ runId: 'r3', seed: source(2) })).rejects.toThrow('API down');
    expect(fetched).toEqual([0, 1, 2]);
    const result = await new Runner({ store, pipeline, logger: silent }).run({
      runId: 'r3',
      seed: source(),
    });
    expect(fetched).toEqual([0, 1, 2, 2, 3, 4]);
    expect(result.counts.keep?.completed).toBe(15);
    await store.close();
  });

  it('honours limit and refuses a seed item without an id, naming it', async () => {
    await open();
    const pipeline = definePipeline({
      name: 'lim',
      version: '1',
      stages: [stage({ name: 'one', handler: (n: number) => n })],
    });
    const result = await new Runner({ store, pipeline, logger: silent }).run({
      runId: 'r4',
      seed: Array.from({ length: 10 }, (_, i) => ({ id: `i${i}`, input: i })),
      limit: 4,
    });
    expect(result.counts.one?.total).toBe(4);
    await expect(
      new Runner({ store, pipeline, logger: silent }).run({
        runId: 'r5',
        seed: [{ id: 'ok', input: 1 }, { input: 2 } as unknown as { id: string; input: number }],
      }),
    ).rejects.toThrow('seed[1].id must be a non-empty string, got undefined');
    await store.close();
  });
});

describeSqlite('runner: values that cannot be stored', (sqlite) => {
  it('dead-letters an item whose result or emitted item is not JSON, without failing its batch', async () => {
    const store = await createSqliteStore({ path: sqlite().path });
    const pipeline = definePipeline({
      name: 'bad-values',
      version: '1',
      stages: [
        stage({
          name: 'make',
          concurrency: 4,
          handler: (n: number, ctx) => {
            if (n === 1) return { big: 10n };
            if (n === 2) ctx.emit({ id: '', input: 1 });
            if (n === 3) ctx.emit({ id: 'x', input: () => 1 });
            return n;
          },
        }),
        stage({ name: 'next', handler: (n: unknown) => n }),
      ],
    });
    const result = await new Runner({ store, pipeline, logger: silent }).run({
      runId: 'bad',
      seed: [0, 1, 2, 3, 4].map((n) => ({ id: `n${n}`, input: n })),
    });
    expect(result.counts.make).toMatchObject({ completed: 2, dead: 3 });
    expect(result.counts.next?.completed).toBe(2);
    const dead = await store.deadLetters({ runId: 'bad' });
    const errors = Object.fromEntries(dead.items.map((d) => [d.id, d.error]));
    expect(errors.n1).toMatch(/handler result/);
    expect(errors.n2).toMatch(/ctx\.emit item 0 id must be a non-empty string/);
    expect(errors.n3).toMatch(/ctx\.emit item "x" input/);
    expect(dead.items.every((d) => d.category === 'non_recoverable')).toBe(true);
    await store.close();
  });
});

describeSqlite('runner: status and cancel', (sqlite) => {
  it('reports counts, throughput and the last checkpoint, and stops a cancelled run', async () => {
    const store = await createSqliteStore({ path: sqlite().path });
    let cancelled = false;
    const pipeline = definePipeline({
      name: 'status',
      version: '1',
      stages: [
        stage({
          name: 'work',
          concurrency: 2,
          handler: async (n: number, ctx) => {
            if (n === 50 && !cancelled) {
              cancelled = true;
              await store.cancelRun(ctx.runId, Date.now());
            }
            return n;
          },
        }),
      ],
    });
    const result = await new Runner({ store, pipeline, logger: silent, checkpointEvery: 10 }).run({
      runId: 'st',
      seed: Array.from({ length: 200 }, (_, i) => ({
        id: `i${String(i).padStart(3, '0')}`,
        input: i,
      })),
    });
    expect(result.status).toBe('cancelled');
    expect(result.counts.work!.skipped).toBeGreaterThan(0);
    expect(result.counts.work!.completed + result.counts.work!.skipped).toBe(200);
    const status = await getRunStatus(store, 'st');
    expect(status).toMatchObject({ finished: 200, open: 0, dead: 0 });
    expect(status.run.status).toBe('cancelled');
    expect(status.lastCheckpointAt).toBeGreaterThan(0);
    expect(status.throughputPerSecond).toBeGreaterThan(0);
    expect(status.etaSeconds).toBeUndefined();
    await expect(getRunStatus(store, 'nope')).rejects.toThrow(
      'runId must be the ID of an existing run, got "nope"',
    );
    await store.close();
  });
});

describeSqlite('runner: health while running', (sqlite) => {
  it('turns failures into a degraded or unhealthy verdict with reasons, and passes a database check', async () => {
    const store = await createSqliteStore({ path: sqlite().path });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    const pipeline = definePipeline({
      name: 'health',
      version: '1',
      stages: [
        stage({
          name: 'judge',
          handler: async (n: number) => {
            if (n === 99) {
              reached();
              await gate;
              return n;
            }
            if (n % 4 !== 0) throw new HttpStatusError(400);
            return n;
          },
        }),
      ],
    });
    const runner = new Runner({ store, pipeline, logger: silent });
    expect(await runner.health()).toBeUndefined();
    const running = runner.run({
      runId: 'h',
      seed: [
        ...Array.from({ length: 20 }, (_, i) => ({
          id: `i${String(i).padStart(2, '0')}`,
          input: i,
        })),
        { id: 'last', input: 99 },
      ],
    });
    await atGate;
    const report = (await runner.health())!;
    expect(report.status).toBe('unhealthy');
    expect(report.reasons.join('\n')).toMatch(/judge/);
    expect(report.checks['database:responseTime']?.[0]?.status).toBe('healthy');
    release();
    await running;
    await store.close();
  });
});
