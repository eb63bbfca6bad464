import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import { claim, expectInvalid, items, type ContractContext } from './context.contract.js';

/**
 * Retention: finished (completed, cancelled) runs older than the cutoff go with everything
 * under them; running, failed and recent runs stay untouched.
 */
export function pruneContract(ctx: ContractContext): void {
  /** A run with items, a retry in its history, a dead letter and a checkpoint. */
  const fullRun = async (store: Store, at: number): Promise<string> => {
    const runId = await ctx.newRun(store, at);
    await store.seedItems(runId, 'fetch', items(3), at);
    const [a, b] = await claim(store, runId, at, { limit: 2 });
    await store.commit(
      [
        {
          kind: 'retry',
          lease: a!,
          availableAt: at,
          error: 'e',
          category: 'recoverable',
          delayMs: 0,
        },
        { kind: 'dead', lease: b!, error: 'gone', category: 'non_recoverable' },
      ],
      at,
    );
    await store.putCheckpoint(runId, 'cursor', { page: 2 }, at);
    return runId;
  };

  const present = async (store: Store, runId: string) => ({
    run: (await store.getRun(runId)) !== undefined,
    items: (await store.listItems({ runId })).items.length,
    history: (await store.retryHistory({ runId, stage: 'fetch', id: 'item-0' })).length,
    dead: (await store.deadLetters({ runId, includeRetried: true })).items.length,
    checkpoint: (await store.getCheckpoint(runId, 'cursor')) !== undefined,
  });
  const all = { run: true, items: 3, history: 1, dead: 1, checkpoint: true };
  const none = { run: false, items: 0, history: 0, dead: 0, checkpoint: false };

  describe('prune', () => {
    it('deletes old finished runs with everything under them, and nothing else', async () => {
      const store = ctx.store();
      const oldDone = await fullRun(store, 5_000);
      await store.setRunStatus(oldDone, 'completed', 5_000);
      const oldCancelled = await fullRun(store, 5_000);
      await store.cancelRun(oldCancelled, 5_100);
      const oldRunning = await fullRun(store, 5_000);
      const oldFailed = await fullRun(store, 5_000);
      await store.setRunStatus(oldFailed, 'failed', 5_000);
      const recentDone = await fullRun(store, 5_000);
      await store.setRunStatus(recentDone, 'completed', 6_500);
      await store.registerWorker(
        { id: `pruned-worker-${process.pid}`, host: 'h', pid: 1, runs: [], status: 'running' },
        5_000,
      );

      const result = await store.prune({ olderThanMs: 1_000 }, 7_000);
      expect(result.runs).toBeGreaterThanOrEqual(2);
      expect(result.items).toBeGreaterThanOrEqual(6);
      expect(result.workers).toBeGreaterThanOrEqual(1);
      expect(await present(store, oldDone)).toEqual(none);
      expect(await present(store, oldCancelled)).toEqual({ ...none });
      expect(await present(store, oldRunning)).toEqual(all);
      expect(await present(store, oldFailed)).toEqual(all);
      expect(await present(store, recentDone)).toEqual(all);
      expect((await store.listWorkers()).map((w) => w.id)).not.toContain(
        `pruned-worker-${process.pid}`,
      );
    });

    it('names the field of every bad argument', async () => {
      const store = ctx.store();
      await expectInvalid(() => store.prune(undefined as never, 1), 'options');
      await expectInvalid(() => store.prune({ olderThanMs: -1 }, 1), 'options.olderThanMs');
      await expectInvalid(() => store.prune({} as never, 1), 'options.olderThanMs');
      await expectInvalid(() => store.prune({ olderThanMs: 1 }, Number.NaN), 'now');
    });
  });
}
