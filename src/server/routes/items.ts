/**
 * Items of a run: the list (by stage and state, paged by stage then ID), the failed ones (dead
 * or waiting to retry, filterable by error category, with their last error), and one item with
 * what happened to it: its record, every retried failure (retry history) and every time it died.
 */
import { notFound } from '../errors.js';
import { paged, pageRequest, requireRun, requireStage } from '../lookups.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { failedItemsQuery, itemParams, itemsQuery, runParams } from '../request-schemas.js';
import { pageView } from '../views.js';
import type { RouteContext } from './context.js';
import { itemCursor, type ItemRecord } from '../../store/index.js';

/** Pages scanned per request when filtering failed items by category (the store filters state). */
const maxCategoryScan = 50;

export function itemRoutes({ store }: RouteContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/runs/:runId/items',
      summary: 'Items of a run by stage and state, paged',
      params: runParams,
      query: itemsQuery,
      handle: async ({ params: { runId }, query: q }) => {
        await requireRun(store, runId);
        await requireStage(store, runId, q.stage);
        const filter = {
          runId,
          ...(q.stage === undefined ? {} : { stage: q.stage }),
          ...(q.state === undefined ? {} : { states: q.state }),
        };
        return pageView(await paged(() => store.listItems(filter, pageRequest(q))));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/runs/:runId/failed-items',
      summary: 'Failed items (dead, or waiting to retry) with their last error, paged',
      replaces: 'GET pipeline/{id}/failed-items',
      params: runParams,
      query: failedItemsQuery,
      handle: async ({ params: { runId }, query: q }) => {
        await requireRun(store, runId);
        await requireStage(store, runId, q.stage);
        const filter = {
          runId,
          ...(q.stage === undefined ? {} : { stage: q.stage }),
          states: ['dead', 'retry_wait'] as const,
        };
        const limit = q.limit ?? 100;
        if (q.category === undefined) {
          const page = await paged(() => store.listItems(filter, pageRequest(q)));
          return pageView(page, failedView);
        }
        // The store pages by state; the category filter walks pages until one is full.
        const found: ItemRecord[] = [];
        let after = q.cursor;
        let next: string | undefined;
        scan: for (let scanned = 0; scanned < maxCategoryScan; scanned++) {
          const page = await paged(() =>
            store.listItems(filter, { limit, ...(after === undefined ? {} : { after }) }),
          );
          next = page.next;
          for (const item of page.items) {
            if (item.lastCategory !== q.category) continue;
            found.push(item);
            if (found.length === limit) {
              // Continue right after the last one returned, not after the scanned page.
              next = item === page.items.at(-1) ? page.next : itemCursor(item);
              break scan;
            }
          }
          if (next === undefined) break;
          after = next;
        }
        return { items: found.map(failedView), next: next ?? null };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/runs/:runId/items/:stage/:itemId',
      summary: 'One item with its retry history and dead letters',
      params: itemParams,
      handle: async ({ params: { runId, stage, itemId } }) => {
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
      },
    }),
  ];
}

function failedView(item: ItemRecord) {
  return {
    stage: item.stage,
    id: item.id,
    state: item.state,
    attempts: item.attempts,
    category: item.lastCategory,
    lastError: item.lastError,
    availableAt: item.state === 'retry_wait' ? item.availableAt : null,
    updatedAt: item.updatedAt,
  };
}
