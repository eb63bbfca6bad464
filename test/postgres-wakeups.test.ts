import { pino } from 'pino';
import { expect, it } from 'vitest';
import { definePipeline, Runner, stage } from '../src/runtime/index.js';
import { createPostgresStore } from '../src/store/postgres/index.js';
import type { Store } from '../src/store/store.js';
import { describePostgres } from '../src/testing/vitest/index.js';

/**
 * LISTEN/NOTIFY wake-ups between two stores (two pools: what two processes would have): an idle
 * worker whose poll is ten minutes away claims at once when the other store seeds, retries or
 * emits; with notifications off, polling alone still finds the work.
 */
const silent = pino({ level: 'silent' });

/** Resolves `idle` the first time the worker found nothing to claim (and starts to wait). */
function watchIdle(store: Store): { store: Store; idle: Promise<void> } {
  let resolveIdle!: () => void;
  const idle = new Promise<void>((resolve) => (resolveIdle = resolve));
  const wrapped: Store = {
    ...store,
    backend: store.backend,
    nextAvailableAt: async (runId, stage) => {
      const next = await store.nextAvailableAt(runId, stage);
      if (next === undefined) resolveIdle();
      return next;
    },
  };
  return { store: wrapped, idle };
}

describePostgres('postgres wake-ups', (postgres) => {
  const open = (notify: boolean) =>
    createPostgresStore({ url: postgres().url, schema: postgres().schema, poolSize: 3, notify });

  async function scenario(notify: boolean, pollMs: number) {
    const seeder = await open(notify);
    const workerStore = await open(notify);
    try {
      if (notify) {
        // The worker store's LISTEN connection is up once its watchers get ('', '').
        await new Promise<void>((resolve) => {
          workerStore.watchItems!((runId) => runId === '' && resolve());
        });
      }
      const { store, idle } = watchIdle(workerStore);
      const handled: string[] = [];
      let allDone!: () => void;
      const done = new Promise<void>((resolve) => (allDone = resolve));
      const pipeline = definePipeline({
        name: 'wake',
        version: '1',
        stages: [
          stage({
            name: 'first',
            handler: (input: { n: number }, ctx) => {
              handled.push(`first:${ctx.itemId}:${ctx.attempt}`);
              if (input.n === 1 && ctx.attempt === 1) throw new Error('once more');
              ctx.emit([{ id: `${ctx.itemId}-child`, input: null }]);
              return null;
            },
            retry: { maxAttempts: 3, backoff: { initialMs: 0, jitter: 'none' } },
          }),
          stage({
            name: 'second',
            handler: (_input: null, ctx) => {
              handled.push(`second:${ctx.itemId}`);
              if (handled.filter((h) => h.startsWith('second:')).length === 2) allDone();
              return null;
            },
          }),
        ],
      });
      const runId = `wake-${notify}`;
      await seeder.createRun({ id: runId, pipeline: 'wake', pipelineVersion: '1' }, Date.now());
      const runner = new Runner({ store, pipeline, logger: silent, pollMs, tracing: false });
      const running = runner.run({ runId, until: 'stopped' });
      await idle;
      // Another store (another process's) seeds: the idle worker must hear of it.
      await seeder.seedItems(
        runId,
        'first',
        [
          { id: 'a', input: { n: 0 } },
          { id: 'b', input: { n: 1 } },
        ],
        Date.now(),
      );
      await done;
      await runner.stop({ deadlineMs: 1_000 });
      expect((await running).status).toBe('stopped');
      expect(handled.sort()).toEqual([
        'first:a:1',
        'first:b:1',
        'first:b:2',
        'second:a-child',
        'second:b-child',
      ]);
    } finally {
      await seeder.close();
      await workerStore.close();
    }
  }

  it('wakes an idle worker at once when another store seeds (its poll is 10 minutes away)', async () => {
    await scenario(true, 600_000);
  });

  it('finds the work by polling alone with notifications off', async () => {
    await scenario(false, 20);
  });

  it('delivers retries, releases and reclaims to watchers of another store', async () => {
    const writer = await open(true);
    const watcher = await open(true);
    try {
      const heard: string[] = [];
      let next: (() => void) | undefined;
      const hear = () => new Promise<void>((resolve) => (next = resolve));
      let up!: () => void;
      const listening = new Promise<void>((resolve) => (up = resolve));
      const off = watcher.watchItems!((runId, stageName) => {
        if (runId === '') return up();
        heard.push(`${runId}/${stageName}`);
        next?.();
      });
      await listening;
      await writer.createRun({ id: 'n', pipeline: 'p', pipelineVersion: '1' }, 1);
      let heardIt = hear();
      await writer.seedItems('n', 's', [{ id: 'x', input: 1 }], 1);
      await heardIt;
      const [lease] = await writer.claim({
        runId: 'n',
        stage: 's',
        owner: 'w',
        limit: 1,
        leaseMs: 10,
        now: 1,
      });
      heardIt = hear();
      await writer.commit(
        [
          {
            kind: 'retry',
            lease: lease!,
            availableAt: 2,
            error: 'e',
            category: 'recoverable',
            delayMs: 1,
          },
        ],
        1,
      );
      await heardIt;
      await writer.claim({ runId: 'n', stage: 's', owner: 'w', limit: 1, leaseMs: 10, now: 3 });
      heardIt = hear();
      expect(await writer.reclaimExpired(100, 10, { runId: 'n' })).toBe(1);
      await heardIt;
      expect(heard).toEqual(['n/s', 'n/s', 'n/s']);
      off();
    } finally {
      await writer.close();
      await watcher.close();
    }
  });
});
