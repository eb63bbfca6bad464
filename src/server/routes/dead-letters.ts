/**
 * Dead letters of a run: the list (oldest first, by stage and failure category; those already
 * sent back only with includeRetried=true) and the retry that sends matching dead items back to
 * pending. The body is checked in full, and the run and stage looked up, before the store is
 * asked to change anything.
 */
import { paged, pageRequest, requireNotCancelled, requireRun, requireStage } from '../lookups.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { deadLettersQuery, retryDeadLettersBody, runParams } from '../request-schemas.js';
import { pageView } from '../views.js';
import type { RouteContext } from './context.js';

export function deadLetterRoutes({ store, now }: RouteContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/runs/:runId/dead-letters',
      summary: 'Dead letters of a run, oldest first, by stage and failure category',
      params: runParams,
      query: deadLettersQuery,
      handle: async ({ params: { runId }, query: q }) => {
        await requireRun(store, runId);
        await requireStage(store, runId, q.stage);
        const filter = {
          runId,
          ...(q.stage === undefined ? {} : { stage: q.stage }),
          ...(q.category === undefined ? {} : { category: q.category }),
          ...(q.includeRetried === undefined ? {} : { includeRetried: q.includeRetried }),
        };
        return pageView(await paged(() => store.deadLetters(filter, pageRequest(q))));
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/runs/:runId/dead-letters/retry',
      summary: 'Sends matching dead letters back to pending',
      params: runParams,
      body: retryDeadLettersBody,
      handle: async ({ params: { runId }, body }) => {
        const run = await requireRun(store, runId);
        requireNotCancelled(run, 'retry its dead letters');
        await requireStage(store, runId, body.stage);
        const retried = await store.retryDeadLetters({ runId, ...body }, now());
        return { runId, retried };
      },
    }),
  ];
}
