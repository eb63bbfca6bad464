/**
 * Retry statistics of a run: attempts per stage and failure category, the retry rate, and how
 * many items exhausted their retries (dead letters). Built from the retry history and dead
 * letters the store keeps, so it is the same from every process. `byCategory` counts failed
 * attempts: the retried ones (retry history) and the final ones (dead letters).
 */
import type { RetryRecord, Store } from '../../store/index.js';
import { requireRun } from '../lookups.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { runParams } from '../request-schemas.js';
import type { RouteContext } from './context.js';

/** Records read per request at most; `truncated` says when a run has more. */
const maxRecords = 100_000;
/** Items whose retry history is read per request (the store keeps it per item). */
const maxHistories = 2_000;
const pageSize = 1000;

interface StageStats {
  items: number;
  attempts: number;
  retried: number;
  /** Dead letters of any category. */
  deadLettered: number;
  /** Dead letters of a retryable category: they died because their retries ran out. */
  exhausted: number;
  byCategory: Record<string, number>;
}

export function retryStatsRoutes({ store }: RouteContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/runs/:runId/retry-stats',
      summary: 'Attempts and retries per stage and category, retry rate, exhausted retries',
      replaces: 'GET retry-statistics',
      params: runParams,
      handle: async ({ params: { runId } }) => {
        await requireRun(store, runId);
        return retryStats(store, runId);
      },
    }),
  ];
}

async function retryStats(store: Store, runId: string) {
  const stages = new Map<string, StageStats>();
  const stageOf = (name: string) => {
    let s = stages.get(name);
    if (!s)
      stages.set(
        name,
        (s = { items: 0, attempts: 0, retried: 0, deadLettered: 0, exhausted: 0, byCategory: {} }),
      );
    return s;
  };
  let read = 0;
  let truncated = false;
  // Attempts per stage: every item's attempt count.
  const retriedRefs: { runId: string; stage: string; id: string }[] = [];
  let after: string | undefined;
  do {
    const page = await store.listItems(
      { runId },
      { limit: pageSize, ...(after === undefined ? {} : { after }) },
    );
    for (const item of page.items) {
      const s = stageOf(item.stage);
      s.items += 1;
      s.attempts += item.attempts;
      if (item.attempts > 1) {
        s.retried += 1;
        if (retriedRefs.length < maxHistories) retriedRefs.push(item);
        else truncated = true;
      }
    }
    read += page.items.length;
    after = page.next;
  } while (after !== undefined && (read < maxRecords || !(truncated = true)));
  // Failures by category: the retry history is per item, so it is read for retried items only.
  const categories = (record: Pick<RetryRecord, 'stage' | 'category'>) => {
    const s = stageOf(record.stage);
    s.byCategory[record.category] = (s.byCategory[record.category] ?? 0) + 1;
  };
  for (const ref of retriedRefs) {
    for (const record of await store.retryHistory({ runId, stage: ref.stage, id: ref.id })) {
      categories(record);
    }
  }
  let dlAfter: string | undefined;
  do {
    const page = await store.deadLetters(
      { runId, includeRetried: true },
      { limit: pageSize, ...(dlAfter === undefined ? {} : { after: dlAfter }) },
    );
    for (const dead of page.items) {
      const s = stageOf(dead.stage);
      s.deadLettered += 1;
      if (dead.category === 'recoverable' || dead.category === 'rate_limited') s.exhausted += 1;
      categories(dead);
    }
    read += page.items.length;
    dlAfter = page.next;
  } while (dlAfter !== undefined && (read < maxRecords || !(truncated = true)));
  let items = 0;
  let attempts = 0;
  let retried = 0;
  let exhausted = 0;
  let deadLettered = 0;
  const perStage = [...stages].map(([stage, s]) => {
    items += s.items;
    attempts += s.attempts;
    retried += s.retried;
    exhausted += s.exhausted;
    deadLettered += s.deadLettered;
    return {
      stage,
      ...s,
      retryRate: s.items === 0 ? 0 : s.retried / s.items,
    };
  });
  return {
    runId,
    items,
    attempts,
    retried,
    deadLettered,
    exhausted,
    retryRate: items === 0 ? 0 : retried / items,
    stages: perStage,
    truncated,
  };
}
