import { describe, expect, it } from 'vitest';
import type { WorkerInfo } from '../store.js';
import { expectInvalid, type ContractContext } from './context.contract.js';

let workerCounter = 0;

/**
 * The worker registry: registration doubles as heartbeat, keeps the start time, and a worker
 * that stopped heartbeating drops out of `listWorkers({ since })` and is pruned.
 */
export function workersContract(ctx: ContractContext): void {
  const worker = (extra: Partial<WorkerInfo> = {}): WorkerInfo => ({
    id: `host-a:${process.pid}:w${++workerCounter}-${Date.now().toString(36)}`,
    host: 'host-a',
    pid: 4242,
    runs: ['run-1'],
    status: 'running',
    ...extra,
  });
  // Other tests (and other files on a shared database) register workers too: look at ours.
  const ours = async (ids: string[], since?: number) =>
    (await ctx.store().listWorkers(since === undefined ? undefined : { since })).filter((w) =>
      ids.includes(w.id),
    );

  describe('workers', () => {
    it('registers, renews (keeping the start), lists and deregisters', async () => {
      const store = ctx.store();
      const a = worker();
      const b = worker({ host: 'host-b', pid: 7, runs: [] });
      await store.registerWorker(a, 1_000);
      await store.registerWorker(b, 2_000);
      await store.registerWorker({ ...a, status: 'stopping', runs: ['run-1', 'run-2'] }, 3_000);
      expect(await ours([a.id, b.id])).toEqual([
        {
          ...a,
          status: 'stopping',
          runs: ['run-1', 'run-2'],
          startedAt: 1_000,
          lastHeartbeatAt: 3_000,
        },
        { ...b, startedAt: 2_000, lastHeartbeatAt: 2_000 },
      ]);
      // Another connection sees the same registry.
      const other = await ctx.open();
      expect((await other.listWorkers()).map((w) => w.id)).toEqual(
        expect.arrayContaining([a.id, b.id]),
      );
      expect(await store.deregisterWorker(a.id)).toBe(true);
      expect(await store.deregisterWorker(a.id)).toBe(false);
      expect((await ours([a.id, b.id])).map((w) => w.id)).toEqual([b.id]);
    });

    it('leaves out workers gone silent, and prunes them', async () => {
      const store = ctx.store();
      const quiet = worker();
      const alive = worker();
      await store.registerWorker(quiet, 5_000);
      await store.registerWorker(alive, 5_000);
      await store.registerWorker(alive, 9_000);
      expect((await ours([quiet.id, alive.id], 8_000)).map((w) => w.id)).toEqual([alive.id]);
      expect(await store.pruneWorkers(8_000)).toBeGreaterThanOrEqual(1);
      expect((await ours([quiet.id, alive.id])).map((w) => w.id)).toEqual([alive.id]);
      await store.deregisterWorker(alive.id);
    });

    it('names the field of every bad argument', async () => {
      const store = ctx.store();
      await expectInvalid(() => store.registerWorker(undefined as never, 1), 'worker');
      await expectInvalid(() => store.registerWorker(worker({ id: '' }), 1), 'worker.id');
      await expectInvalid(
        () => store.registerWorker(worker({ host: 5 as never }), 1),
        'worker.host',
      );
      await expectInvalid(() => store.registerWorker(worker({ pid: -1 }), 1), 'worker.pid');
      await expectInvalid(
        () => store.registerWorker(worker({ runs: 'r' as never }), 1),
        'worker.runs',
      );
      await expectInvalid(() => store.registerWorker(worker({ runs: [''] }), 1), 'worker.runs[0]');
      await expectInvalid(
        () => store.registerWorker(worker({ status: 'gone' as never }), 1),
        'worker.status',
      );
      await expectInvalid(() => store.registerWorker(worker(), -1), 'now');
      await expectInvalid(() => store.deregisterWorker(''), 'id');
      await expectInvalid(() => store.listWorkers({ since: -1 }), 'options.since');
      await expectInvalid(() => store.pruneWorkers(Number.NaN), 'before');
    });
  });
}
