/**
 * Job queues (runtime/queue.ts keeps each queue as the run `queue.<name>`, one stage per job
 * type): depth by state and by priority per job type, and the retry of a queue's dead letters.
 */
import type { Store } from '../../store/index.js';
import { queueRunId } from '../../runtime/index.js';
import { notFound } from '../errors.js';
import { requireStage } from '../lookups.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { queueParams, queueRetryBody } from '../request-schemas.js';
import type { RouteContext } from './context.js';

const queuePrefix = queueRunId('');
/** Open jobs read per queue for the priority breakdown; `truncated` says when there are more. */
const maxPriorityScan = 10_000;
const maxRunScan = 10_000;

export function queueRoutes({ store, now }: RouteContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/queues',
      summary: 'Job queues: depth by state and by priority per job type',
      replaces: 'GET job-queues',
      handle: async () => {
        const names = await queueNames(store);
        return { queues: await Promise.all(names.map((name) => queueView(store, name))) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/queues/:name',
      summary: 'One job queue: depth by state and by priority per job type',
      params: queueParams,
      handle: async ({ params: { name } }) => {
        await requireQueue(store, name);
        return queueView(store, name);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/queues/:name/dead-letters/retry',
      summary: "Sends a queue's dead jobs (of one type, one category) back to pending",
      replaces: 'POST job-queues/{queue}/retry-dead-letter',
      params: queueParams,
      body: queueRetryBody,
      handle: async ({ params: { name }, body }) => {
        await requireQueue(store, name);
        const runId = queueRunId(name);
        await requireStage(store, runId, body.type);
        const retried = await store.retryDeadLetters(
          {
            runId,
            ...(body.type === undefined ? {} : { stage: body.type }),
            ...(body.category === undefined ? {} : { category: body.category }),
          },
          now(),
        );
        return { queue: name, retried };
      },
    }),
  ];
}

async function requireQueue(store: Store, name: string): Promise<void> {
  if ((await store.getRun(queueRunId(name))) === undefined) throw notFound('queue', 'name', name);
}

async function queueNames(store: Store): Promise<string[]> {
  const names: string[] = [];
  let after: string | undefined;
  let read = 0;
  do {
    const page = await store.listRuns({}, { limit: 1000, ...(after ? { after } : {}) });
    for (const run of page.items) {
      if (run.id.startsWith(queuePrefix)) names.push(run.id.slice(queuePrefix.length));
    }
    read += page.items.length;
    after = page.next;
  } while (after !== undefined && read < maxRunScan);
  return names.sort();
}

async function queueView(store: Store, name: string) {
  const runId = queueRunId(name);
  const counts = await store.counts(runId);
  const byPriority = new Map<string, Map<number, number>>();
  let after: string | undefined;
  let read = 0;
  do {
    const page = await store.listItems(
      { runId, states: ['pending', 'retry_wait'] },
      { limit: 1000, ...(after ? { after } : {}) },
    );
    for (const job of page.items) {
      const perType = byPriority.get(job.stage) ?? new Map<number, number>();
      perType.set(job.priority, (perType.get(job.priority) ?? 0) + 1);
      byPriority.set(job.stage, perType);
    }
    read += page.items.length;
    after = page.next;
  } while (after !== undefined && read < maxPriorityScan);
  return {
    name,
    types: Object.entries(counts).map(([type, c]) => ({
      type,
      depth: c.pending + c.retry_wait,
      states: c,
      byPriority: [...(byPriority.get(type) ?? [])]
        .sort((a, b) => b[0] - a[0])
        .map(([priority, waiting]) => ({ priority, waiting })),
    })),
    truncated: after !== undefined,
  };
}
