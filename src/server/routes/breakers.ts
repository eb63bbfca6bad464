/**
 * The circuit breakers of one service as workers last saved them in the store (shared breaker
 * state): one snapshot per key (a host, a domain; '' for a service-wide breaker).
 */
import { ApiError } from '../errors.js';
import { parseInput } from '../parse-input.js';
import { breakersQuery, serviceParams } from '../request-schemas.js';
import type { RouteContext } from './context.js';

export function breakerRoutes({ app, store }: RouteContext): void {
  app.get('/services/:service/breakers', async (request) => {
    const { service } = parseInput(serviceParams, request.params, 'params');
    const { key } = parseInput(breakersQuery, request.query, 'query');
    const breakers = await store.loadBreakerState(service, key);
    if (breakers.length === 0) {
      throw new ApiError(
        404,
        'not_found',
        `no breaker state saved for service ${JSON.stringify(service)}${key === undefined ? '' : ` and key ${JSON.stringify(key)}`} (it is saved when workers share breakers through the store)`,
        key === undefined ? 'service' : 'key',
      );
    }
    return { service, breakers };
  });
}
