/**
 * Why: one function builds the monitoring server from a store and whatever health and metrics
 * sources the process has, ready for `app.inject()` in tests or `listen()` in production. It
 * is not listening when returned, so embedding it (the CLI's `serve`, a worker's side port)
 * decides when and where it binds. Every error, ours or fastify's, leaves through one handler
 * as the errors.ts envelope; unknown routes are a JSON 404.
 */
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLogger } from '../observe/index.js';
import { InvalidConfigError } from '../errors/index.js';
import { ApiError, toErrorResponse } from './errors.js';
import { isLoopback, securityHeaders } from './security.js';
import { parseServerOptions, type ServerOptions } from './options.js';
import { apiRoutes } from './routes/api.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';

export interface ListenOptions {
  /** Default 0: a free port (the returned URL says which). */
  readonly port?: number;
  /** Default 127.0.0.1: only this machine; pass 0.0.0.0 to serve the network. */
  readonly host?: string;
}

export interface SluiceServer {
  /** The fastify instance, routes registered, not listening: `app.inject()` works at once. */
  readonly app: FastifyInstance;
  /** Starts listening; resolves with the base URL, e.g. `http://127.0.0.1:43117`. */
  listen(options?: ListenOptions): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, closes. Does not close the store. */
  close(): Promise<void>;
}

/** Store IDs may be long (URLs as item IDs); find-my-way's default refuses params over 100. */
const maxParamLength = 8192;

export function createServer(options: ServerOptions): SluiceServer {
  const o = parseServerOptions(options);
  // Typed as fastify's base logger so the instance is a plain FastifyInstance for route modules.
  const loggerInstance: FastifyBaseLogger = serverLogger(o.logger);
  const app = fastify({
    loggerInstance,
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'request_id',
    }),
    bodyLimit: o.bodyLimit,
    routerOptions: { maxParamLength },
    ...(o.trustProxy === undefined ? {} : { trustProxy: o.trustProxy }),
  });

  // Bodies are JSON only: a text/plain body is refused as such (415) instead of parsed as a string.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error, request, reply) => {
    const response = toErrorResponse(error);
    if (response.internal) request.log.error({ err: error }, 'request failed');
    else request.log.debug({ status: response.statusCode, error: response.body.error }, 'refused');
    return reply.code(response.statusCode).type('application/json').send(response.body);
  });
  app.setNotFoundHandler((request) => {
    const path = request.url.split('?')[0] ?? request.url;
    throw new ApiError(404, 'not_found', `no route ${request.method} ${path}`);
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.log.debug(
      { method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime },
      'request',
    );
    done();
  });

  securityHeaders(app, o.corsOrigins);
  healthRoutes(app, o);
  metricsRoutes(app, o.metrics);
  apiRoutes(app, o);

  return {
    app,
    listen: async ({ port = 0, host = '127.0.0.1' } = {}) => {
      if (o.tokens === undefined && !isLoopback(host)) {
        throw new InvalidConfigError(
          'host',
          'a loopback address (127.0.0.1, ::1, localhost) while /api/v1 has no token: configure a token before serving the network',
          host,
        );
      }
      return app.listen({ port, host });
    },
    close: () => app.close(),
  };
}

function serverLogger(logger: Logger | undefined): Logger {
  if (logger === undefined) return createLogger().component('server');
  const component: unknown = (logger as { component?: unknown }).component;
  return typeof component === 'function'
    ? (component as (name: string) => Logger).call(logger, 'server')
    : logger.child({ component: 'server' });
}
