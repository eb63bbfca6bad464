/**
 * Runs: the list (filtered, paged newest first), one run with its live status (counts per stage
 * and state, throughput, ETA, last checkpoint: getRunStatus), its stored summary, and the two
 * run-wide actions: resume failed items and cancel.
 */
import { getRunStatus } from '../../runtime/index.js';
import { ApiError } from '../errors.js';
import { paged, pageRequest, requireNotCancelled, requireRun, requireStage } from '../lookups.js';
import { parseInput } from '../parse-input.js';
import { cancelBody, noQuery, retryFailedBody, runParams, runsQuery } from '../request-schemas.js';
import { pageView, runStatusView, runView } from '../views.js';
import type { RouteContext } from './context.js';

export function runRoutes({ app, store, now }: RouteContext): void {
  app.get('/runs', async (request) => {
    const q = parseInput(runsQuery, request.query, 'query');
    const filter = {
      ...(q.pipeline === undefined ? {} : { pipeline: q.pipeline }),
      ...(q.status === undefined ? {} : { status: q.status }),
    };
    const page = await paged(() => store.listRuns(filter, pageRequest(q)));
    return pageView(page, runView);
  });

  app.get('/runs/:runId', async (request) => {
    const { runId } = parseInput(runParams, request.params, 'params');
    parseInput(noQuery, request.query, 'query');
    await requireRun(store, runId);
    const report = await getRunStatus(store, runId, now());
    return { run: runView(report.run), status: runStatusView(report) };
  });

  app.get('/runs/:runId/summary', async (request) => {
    const { runId } = parseInput(runParams, request.params, 'params');
    parseInput(noQuery, request.query, 'query');
    const run = await requireRun(store, runId);
    if (run.summary === undefined) {
      throw new ApiError(
        404,
        'not_found',
        `run ${JSON.stringify(runId)} has no summary yet: it is saved at the run's progress checkpoints and when the run stops`,
      );
    }
    return { runId, summary: run.summary };
  });

  app.post('/runs/:runId/retry-failed', async (request) => {
    const { runId } = parseInput(runParams, request.params, 'params');
    parseInput(noQuery, request.query, 'query');
    const body = parseInput(retryFailedBody, request.body, 'body');
    const run = await requireRun(store, runId);
    requireNotCancelled(run, 'retry its failed items');
    await requireStage(store, runId, body.stage);
    const reset = await store.resetFailed(
      runId,
      body.stage === undefined ? {} : { stage: body.stage },
      now(),
    );
    return { runId, reset };
  });

  app.post('/runs/:runId/cancel', async (request) => {
    const { runId } = parseInput(runParams, request.params, 'params');
    parseInput(noQuery, request.query, 'query');
    parseInput(cancelBody, request.body, 'body');
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
  });
}
