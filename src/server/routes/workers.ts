/**
 * Workers: from the fleet registry when the backend keeps one, otherwise this process.
 */
import { hostname } from 'node:os';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import type { RouteContext } from './context.js';

const startedAt = Date.now() - Math.round(process.uptime() * 1000);

/** Workers whose last heartbeat is older than this are left out of the registry's answer. */
const liveWindowMs = 60_000;

export function workerRoutes({ workers, store, now }: RouteContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/workers',
      summary: 'Workers: the fleet registry, or this process',
      replaces: 'worker locking',
      handle: async () => {
        if (workers !== undefined) return { source: 'registry', workers: await workers.list() };
        // The store's fleet registry: every worker process that heartbeats into this store.
        const registered = await store.listWorkers({ since: now() - liveWindowMs });
        if (registered.length > 0) return { source: 'registry', workers: registered };
        return {
          source: 'this_process',
          workers: [
            {
              id: `${hostname()}:${process.pid}`,
              host: hostname(),
              pid: process.pid,
              startedAt,
              lastHeartbeatAt: now(),
              runs: [],
              status: 'running',
            },
          ],
        };
      },
    }),
  ];
}
