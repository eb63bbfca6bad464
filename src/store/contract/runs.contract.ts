import { describe, expect, it } from 'vitest';
import { isStoreClosedError } from '../../errors/index.js';
import { expectInvalid, type ContractContext } from './context.contract.js';

/** Runs: idempotent creation, listing newest first, status and summary; a closed store. */
export function runsContract(ctx: ContractContext): void {
  describe('runs', () => {
    it('creates a run once and returns it again on resume', async () => {
      const store = ctx.store();
      const id = `run-${Math.random().toString(36).slice(2)}`;
      const first = await store.createRun(
        { id, pipeline: 'news', pipelineVersion: '3', options: { limit: 5 } },
        1_000,
      );
      expect(first).toEqual({
        created: true,
        run: {
          id,
          pipeline: 'news',
          pipelineVersion: '3',
          status: 'running',
          options: { limit: 5 },
          summary: undefined,
          createdAt: 1_000,
          updatedAt: 1_000,
        },
      });
      const again = await store.createRun({ id, pipeline: 'news', pipelineVersion: '4' }, 2_000);
      expect(again).toEqual({ created: false, run: first.run });
      await expectInvalid(
        () => store.createRun({ id, pipeline: 'music', pipelineVersion: '1' }, 3_000),
        'run.pipeline',
        /must be "news" \(run ".*" already exists for that pipeline\), got "music"/,
      );
      expect(await store.getRun(id)).toEqual(first.run);
      expect(await store.getRun('no-such-run')).toBeUndefined();
    });

    it('sets the status and the summary', async () => {
      const store = ctx.store();
      const runId = await ctx.newRun();
      await store.saveSummary(runId, { completed: 10, failed: 1 }, 2_000);
      await store.setRunStatus(runId, 'completed', 3_000);
      expect(await store.getRun(runId)).toMatchObject({
        status: 'completed',
        summary: { completed: 10, failed: 1 },
        updatedAt: 3_000,
      });
      await store.setRunStatus(runId, 'running', 4_000); // resumed
      expect((await store.getRun(runId))?.status).toBe('running');
      await expectInvalid(
        () => store.setRunStatus(runId, 'done' as never, 1),
        'status',
        /must be one of "running", "completed", "failed", "cancelled", got "done"/,
      );
      await expectInvalid(() => store.setRunStatus('no-such-run', 'failed', 1), 'runId');
      await expectInvalid(() => store.saveSummary('no-such-run', {}, 1), 'runId');
      await expectInvalid(() => store.saveSummary(runId, { f: Symbol('x') }, 1), 'summary.f');
    });

    it('lists runs newest first, filtered and paged', async () => {
      const store = ctx.store();
      const pipeline = `list-${Math.random().toString(36).slice(2)}`;
      for (let i = 0; i < 5; i++) {
        await store.createRun(
          { id: `${pipeline}-${i}`, pipeline, pipelineVersion: '1' },
          1_000 + (i % 3),
        );
      }
      await store.setRunStatus(`${pipeline}-1`, 'failed', 2_000);
      const first = await store.listRuns({ pipeline }, { limit: 2 });
      expect(first.items.map((r) => r.id)).toEqual([`${pipeline}-2`, `${pipeline}-4`]);
      const second = await store.listRuns({ pipeline }, { limit: 2, after: first.next! });
      expect(second.items.map((r) => r.id)).toEqual([`${pipeline}-1`, `${pipeline}-3`]);
      const third = await store.listRuns({ pipeline }, { limit: 2, after: second.next! });
      expect([third.items.map((r) => r.id), third.next]).toEqual([[`${pipeline}-0`], undefined]);
      const failed = await store.listRuns({ pipeline, status: 'failed' });
      expect(failed.items.map((r) => r.id)).toEqual([`${pipeline}-1`]);
      expect((await store.listRuns()).items.length).toBeGreaterThanOrEqual(5);
      await expectInvalid(() => store.listRuns({ status: 'paused' as never }), 'filter.status');
      await expectInvalid(
        () => store.listRuns({}, { limit: 1_001 }),
        'page.limit',
        /must be an integer in \[1, 1000\]/,
      );
      await expectInvalid(() => store.listRuns({}, { after: first.next!.slice(1) }), 'page.after');
    });

    it('names the field of a bad new run', async () => {
      const store = ctx.store();
      const run = { id: 'r', pipeline: 'p', pipelineVersion: '1' };
      await expectInvalid(() => store.createRun(null as never, 1), 'run');
      await expectInvalid(() => store.createRun({ ...run, id: '' }, 1), 'run.id');
      await expectInvalid(
        () => store.createRun({ ...run, pipeline: 4 as never }, 1),
        'run.pipeline',
      );
      await expectInvalid(
        () => store.createRun({ ...run, pipelineVersion: undefined as never }, 1),
        'run.pipelineVersion',
      );
      await expectInvalid(
        () => store.createRun({ ...run, options: { n: NaN } }, 1),
        'run.options.n',
      );
      await expectInvalid(() => store.createRun(run, -1), 'now');
      await expectInvalid(() => store.getRun(''), 'runId');
    });
  });

  describe('close', () => {
    it('is idempotent and makes later calls fail clearly', async () => {
      const store = await ctx.open();
      await store.close();
      await store.close();
      const error: unknown = await store.getRun('x').catch((e: unknown) => e);
      expect(isStoreClosedError(error) && error.code).toBe('SLUICE_STORE_CLOSED');
      expect(String(error)).toContain('getRun() was called after close()');
    });
  });
}
