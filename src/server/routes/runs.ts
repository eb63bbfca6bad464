/**
 * Runs: the list (filtered, paged newest first), one run with its live status (counts per stage
 * and state, throughput, ETA, last checkpoint: getRunStatus), its progress per stage, its stored
 * summary, its checkpoints, and the two run-wide actions: resume failed items and cancel.
 */
import { getRunStatus } from '../../runtime/index.js';
import { ApiError } from '../errors.js';
import { paged, pageRequest, requireNotCancelled, requireRun, requireStage } from '../lookups.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { noBody, retryFailedBody, runParams, runsQuery } from '../request-schemas.js';
import { pageView, runStatusView, runView } from '../views.js';
import type { RouteContext } from './context.js';

export function runRoutes({ store, now }: RouteContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/runs',
      summary: 'Runs, newest first, filtered by pipeline and status',
      query: runsQuery,
      handle: async ({ query: q }) => {
        const filter = {
          ...(q.pipeline === undefined ? {} : { pipeline: q.pipeline }),
          ...(q.status === undefined ? {} : { status: q.status }),
        };
        const page = await paged(() => store.listRuns(filter, pageRequest(q)));
        return pageView(page, runView);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/runs/:runId',
      summary: 'One run with counts per stage and state, throughput and ETA',
      params: runParams,
      handle: async ({ params: { runId } }) => {
        await requireRun(store, runId);
        const report = await getRunStatus(store, runId, now());
        return { run: runView(report.run), status: runStatusView(report) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/runs/:runId/progress',
      summary: 'Progress per stage: done / total, percent, and the run rate and ETA',
      replaces: 'GET pipeline/{id}/progress',
      params: runParams,
      handle: async ({ params: { runId } }) => {
        await requireRun(store, runId);
        const report = await getRunStatus(store, runId, now());
        const stages = Object.entries(report.counts).map(([stage, c]) => {
          const done = c.completed + c.dead + c.skipped;
          return {
            stage,
            done,
            total: c.total,
            percent: c.total === 0 ? 100 : Math.round((done / c.total) * 1000) / 10,
            completed: c.completed,
            failed: c.dead,
            skipped: c.skipped,
            inFlight: c.leased,
            retriesWaiting: c.retry_wait,
            pending: c.pending,
          };
        });
        const total = report.finished + report.open;
        return {
          runId,
          status: report.run.status,
          done: report.finished,
          total,
          percent: total === 0 ? 100 : Math.round((report.finished / total) * 1000) / 10,
          ratePerSecond: report.throughputPerSecond ?? null,
          etaSeconds: report.etaSeconds ?? null,
          stages,
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/runs/:runId/summary',
      summary: "The run's stored summary: per stage, per service, usage counters",
      params: runParams,
      handle: async ({ params: { runId } }) => {
        const run = await requireRun(store, runId);
        if (run.summary === undefined) {
          throw new ApiError(
            404,
            'not_found',
            `run ${JSON.stringify(runId)} has no summary yet: it is saved at the run's progress checkpoints and when the run stops`,
          );
        }
        return { runId, summary: run.summary };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/runs/:runId/checkpoints',
      summary: "The run's checkpoints: engine progress and source cursors",
      replaces: 'checkpoints table',
      params: runParams,
      handle: async ({ params: { runId } }) => {
        await requireRun(store, runId);
        return { runId, checkpoints: await store.listCheckpoints(runId) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/runs/:runId/retry-failed',
      summary: 'Sends every dead and waiting item (of one stage) back to pending',
      replaces: 'POST pipeline/{id}/retry-failed',
      params: runParams,
      body: retryFailedBody,
      handle: async ({ params: { runId }, body }) => {
        const run = await requireRun(store, runId);
        requireNotCancelled(run, 'retry its failed items');
        await requireStage(store, runId, body.stage);
        const reset = await store.resetFailed(
          runId,
          body.stage === undefined ? {} : { stage: body.stage },
          now(),
        );
        return { runId, reset };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/runs/:runId/cancel',
      summary: 'Cancels the run: its pending and waiting items are skipped',
      params: runParams,
      body: noBody,
      handle: async ({ params: { runId } }) => {
        const run = await requireRun(store, runId);
        if (run.status === 'completed') {
          throw new ApiError(
            409,
            'conflict',
            `run ${JSON.stringify(runId)} is completed: nothing to cancel`,
            'runId',
          );
        }
        // Cancelling again is allowed: it skips what late commits of leased items added since.
        const skipped = await store.cancelRun(runId, now());
        return { runId, status: 'cancelled', skipped };
      },
    }),
  ];
}
