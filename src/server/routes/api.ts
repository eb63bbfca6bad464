/**
 * The REST monitoring API under /api/v1, in a fastify scope of its own so that its hooks (the
 * per-client-IP rate limit, bearer auth, the per-token rate limit) guard its routes and nothing
 * else. The route list is built once: it feeds the handlers, the scope checks and the OpenAPI
 * document served at /api/v1/openapi.json (outside auth: it holds no data).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import { bearerAuth } from '../auth.js';
import type { BreakerControl, WorkerSource } from '../control.js';
import { openApiDocument } from '../openapi.js';
import { clientRateLimit, tokenRateLimit, type ClientRateLimitOptions } from '../rate-limit.js';
import { registerRoutes, type RouteSpec } from '../route-spec.js';
import type { ApiToken } from '../tokens.js';
import { breakerRoutes } from './breakers.js';
import type { RouteContext } from './context.js';
import { deadLetterRoutes } from './dead-letters.js';
import { itemRoutes } from './items.js';
import { queueRoutes } from './queues.js';
import { retryStatsRoutes } from './retry-stats.js';
import { runRoutes } from './runs.js';
import { serviceRoutes } from './services.js';
import { workerRoutes } from './workers.js';

export const apiPrefix = '/api/v1';
export const apiVersion = '1.0.0';

export interface ApiOptions {
  readonly store: Store;
  readonly now: () => number;
  /** undefined: no authentication. */
  readonly tokens: readonly ApiToken[] | undefined;
  readonly rateLimit:
    (ClientRateLimitOptions & { readonly perToken: ClientRateLimitOptions | false }) | false;
  readonly breakers: BreakerControl | undefined;
  readonly workers: WorkerSource | undefined;
}

/** Every route of /api/v1, in the order the OpenAPI document lists them. */
export function apiRouteList(context: RouteContext): RouteSpec[] {
  return [
    ...runRoutes(context),
    ...itemRoutes(context),
    ...deadLetterRoutes(context),
    ...retryStatsRoutes(context),
    ...breakerRoutes(context),
    ...serviceRoutes(context),
    ...queueRoutes(context),
    ...workerRoutes(context),
  ];
}

export function apiRoutes(app: FastifyInstance, options: ApiOptions): RouteSpec[] {
  const routes = apiRouteList(options);
  const document = openApiDocument(routes, {
    title: 'Sluice monitoring API',
    version: apiVersion,
    basePath: apiPrefix,
  });
  void app.register(
    // eslint-disable-next-line @typescript-eslint/require-await -- fastify plugins are async
    async (api) => {
      const limit = options.rateLimit;
      // Order matters: a request over its limit is refused before its token is even looked at.
      if (limit !== false) api.addHook('onRequest', clientRateLimit(limit));
      api.get('/openapi.json', () => document);
      // eslint-disable-next-line @typescript-eslint/require-await -- fastify plugins are async
      void api.register(async (guarded) => {
        if (options.tokens !== undefined) guarded.addHook('onRequest', bearerAuth(options.tokens));
        if (limit !== false && limit.perToken !== false) {
          guarded.addHook('onRequest', tokenRateLimit(limit.perToken));
        }
        registerRoutes(guarded, routes, { authOn: options.tokens !== undefined });
      });
    },
    { prefix: apiPrefix },
  );
  return routes;
}
