/**
 * The REST monitoring API under /api/v1, in a fastify scope of its own so that its hooks (the
 * per-client rate limit, then bearer auth) guard its routes and nothing else.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import { bearerAuth } from '../auth.js';
import { clientRateLimit, type ClientRateLimitOptions } from '../rate-limit.js';
import { breakerRoutes } from './breakers.js';
import { deadLetterRoutes } from './dead-letters.js';
import { itemRoutes } from './items.js';
import { runRoutes } from './runs.js';

export const apiPrefix = '/api/v1';

export interface ApiOptions {
  readonly store: Store;
  readonly now: () => number;
  /** undefined: no authentication. */
  readonly token: string | undefined;
  readonly rateLimit: ClientRateLimitOptions | false;
}

export function apiRoutes(app: FastifyInstance, options: ApiOptions): void {
  void app.register(
    // eslint-disable-next-line @typescript-eslint/require-await -- fastify plugins are async
    async (api) => {
      // Order matters: a request over its limit is refused before its token is even looked at.
      if (options.rateLimit !== false) api.addHook('onRequest', clientRateLimit(options.rateLimit));
      if (options.token !== undefined) api.addHook('onRequest', bearerAuth(options.token));
      const context = { app: api, store: options.store, now: options.now };
      runRoutes(context);
      itemRoutes(context);
      deadLetterRoutes(context);
      breakerRoutes(context);
    },
    { prefix: apiPrefix },
  );
}
