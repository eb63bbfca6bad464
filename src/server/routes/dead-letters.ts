/**
 * Dead letters of a run: the list (oldest first, by stage and failure category; those already
 * sent back only with includeRetried=true) and the retry that sends matching dead items back to
 * pending. The body is checked in full, and the run and stage looked up, before the store is
 * asked to change anything.
 */
import { paged, pageRequest, requireNotCancelled, requireRun, requireStage } from '../lookups.js';
import { parseInput } from '../parse-input.js';
import { deadLettersQuery, noQuery, retryDeadLettersBody, runParams } from '../request-schemas.js';
import { pageView } from '../views.js';
import type { RouteContext } from './context.js';

export function deadLetterRoutes({ app, store, now }: RouteContext): void {
  app.get('/runs/:runId/dead-letters', async (request) => {
    const { runId } = parseInput(runParams, request.params, 'params');
    const q = parseInput(deadLettersQuery, request.query, 'query');
    await requireRun(store, runId);
    await requireStage(store, runId, q.stage);
    const filter = {
      runId,
      ...(q.stage === undefined ? {} : { stage: q.stage }),
      ...(q.category === undefined ? {} : { category: q.category }),
      ...(q.includeRetried === undefined ? {} : { includeRetried: q.includeRetried }),
    };
    return pageView(await paged(() => store.deadLetters(filter, pageRequest(q))));
  });

  app.post('/runs/:runId/dead-letters/retry', async (request) => {
    const { runId } = parseInput(runParams, request.params, 'params');
    parseInput(noQuery, request.query, 'query');
    const body = parseInput(retryDeadLettersBody, request.body, 'body');
    const run = await requireRun(store, runId);
    requireNotCancelled(run, 'retry its dead letters');
    await requireStage(store, runId, body.stage);
    const retried = await store.retryDeadLetters({ runId, ...body }, now());
    return { runId, retried };
  });
}
