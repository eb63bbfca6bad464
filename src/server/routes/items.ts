/**
 * Items of a run: the list (by stage and state, paged by stage then ID) and one item with what
 * happened to it: its record, every retried failure (retry history) and every time it died.
 */
import { notFound } from '../errors.js';
import { paged, pageRequest, requireRun, requireStage } from '../lookups.js';
import { parseInput } from '../parse-input.js';
import { itemParams, itemsQuery, noQuery, runParams } from '../request-schemas.js';
import { pageView } from '../views.js';
import type { RouteContext } from './context.js';

export function itemRoutes({ app, store }: RouteContext): void {
  app.get('/runs/:runId/items', async (request) => {
    const { runId } = parseInput(runParams, request.params, 'params');
    const q = parseInput(itemsQuery, request.query, 'query');
    await requireRun(store, runId);
    await requireStage(store, runId, q.stage);
    const filter = {
      runId,
      ...(q.stage === undefined ? {} : { stage: q.stage }),
      ...(q.state === undefined ? {} : { states: q.state }),
    };
    return pageView(await paged(() => store.listItems(filter, pageRequest(q))));
  });

  app.get('/runs/:runId/items/:stage/:itemId', async (request) => {
    const { runId, stage, itemId } = parseInput(itemParams, request.params, 'params');
    parseInput(noQuery, request.query, 'query');
    await requireRun(store, runId);
    const ref = { runId, stage, id: itemId };
    const item = await store.getItem(ref);
    if (item === undefined) {
      await requireStage(store, runId, stage);
      throw notFound(`item in stage ${JSON.stringify(stage)} with ID`, 'itemId', itemId);
    }
    const [retries, deaths] = await Promise.all([
      store.retryHistory(ref),
      store.deadLetters({ runId, stage, ids: [itemId], includeRetried: true }, { limit: 1000 }),
    ]);
    return { item, retries, deadLetters: deaths.items };
  });
}
