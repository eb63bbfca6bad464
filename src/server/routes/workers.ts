/**
 * Workers: from the fleet registry when the backend keeps one, otherwise this process.
 */
import { hostname } from 'node:os';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import type { RouteContext } from './context.js';

const startedAt = Date.now() - Math.round(process.uptime() * 1000);

export function workerRoutes({ workers, now }: RouteContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/workers',
      summary: 'Workers: the fleet registry, or this process',
      replaces: 'worker locking',
      handle: async () => {
        if (workers !== undefined) return { source: 'registry', workers: await workers.list() };
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
