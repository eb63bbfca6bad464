/**
 * Circuit breakers: the live ones of the process serving the API (every service and key, with
 * state, failure rate, last transition), the ones workers saved in the store for one service,
 * and the operator's reset. A reset closes the live breaker here; breakers of other processes
 * follow through fleet coordination when it is configured.
 */
import { ApiError } from '../errors.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { breakerResetBody, breakersQuery, serviceParams } from '../request-schemas.js';
import type { RouteContext } from './context.js';

export function breakerRoutes({ store, breakers }: RouteContext): RouteSpec[] {
  const live = async () => (breakers === undefined ? [] : [...(await breakers.list())]);
  return [
    defineRoute({
      method: 'GET',
      url: '/breakers',
      summary: 'Every live circuit breaker: service, key, state, failure rate, last transition',
      replaces: 'GET circuit-breakers',
      handle: async () => ({ live: breakers !== undefined, breakers: await live() }),
    }),
    defineRoute({
      method: 'GET',
      url: '/services/:service/breakers',
      summary: "One service's breakers: live ones and the state workers saved in the store",
      params: serviceParams,
      query: breakersQuery,
      handle: async ({ params: { service }, query: { key } }) => {
        const saved = await store.loadBreakerState(service, key);
        const running = (await live()).filter(
          (b) => b.service === service && (key === undefined || b.key === key),
        );
        if (saved.length === 0 && running.length === 0) {
          throw new ApiError(
            404,
            'not_found',
            `no breaker for service ${JSON.stringify(service)}${key === undefined ? '' : ` and key ${JSON.stringify(key)}`} (live breakers exist while a pipeline runs in this process; saved ones when workers share breakers through the store)`,
            key === undefined ? 'service' : 'key',
          );
        }
        return { service, live: running, breakers: saved };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/services/:service/breakers/reset',
      summary: "Closes a service's breaker (body.key: a host, '' or absent for service-wide)",
      replaces: 'POST circuit-breakers/{service}/reset',
      params: serviceParams,
      body: breakerResetBody,
      handle: async ({ params: { service }, body }) => {
        if (breakers === undefined) {
          throw new ApiError(
            409,
            'conflict',
            'no pipeline runs in this process: breakers can be reset where they run (serve the API from the worker, e.g. `sluice run --serve`)',
          );
        }
        const key = body.key ?? '';
        if (!(await breakers.reset(service, key))) {
          throw new ApiError(
            404,
            'not_found',
            `no live breaker for service ${JSON.stringify(service)} and key ${JSON.stringify(key)}`,
            'service',
          );
        }
        return { service, key, state: 'closed' };
      },
    }),
  ];
}
