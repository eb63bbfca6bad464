/**
 * Why: one list of routes, each saying its method, path, scope and the zod schemas of its path
 * parameters, query and body, feeds three things that must never drift apart: the handlers
 * (inputs are parsed before the handler runs), the scope check (every POST is admin-only), and
 * the OpenAPI document (generated from the same schemas). A test walks the same list to prove
 * every route refuses a missing token with 401 and a read token on admin routes with 403.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { identityOf, requireAdmin } from './auth.js';
import { parseInput } from './parse-input.js';
import { noQuery } from './request-schemas.js';

export type RouteMethod = 'GET' | 'POST';
export type RouteScope = 'read' | 'admin';

type Parsed<S> = S extends z.ZodObject ? z.output<S> : Record<string, never>;

export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

export interface RouteSpec<
  P extends z.ZodObject | undefined = z.ZodObject | undefined,
  Q extends z.ZodObject | undefined = z.ZodObject | undefined,
  B extends z.ZodObject | undefined = z.ZodObject | undefined,
> {
  readonly method: RouteMethod;
  /** Relative to /api/v1, fastify style: `/runs/:runId`. */
  readonly url: string;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  /** Which route of our users' own monitoring API this covers (docs/api.md has the table). */
  readonly replaces?: string;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly handle: (
    input: RouteInput<Parsed<P>, Parsed<Q>, Parsed<B>>,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => Promise<unknown>;
}

/** Identity helper that keeps each route's input types while the list stays one type. */
export function defineRoute<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodObject | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec;
}

/** Reads need a read or admin token; every POST changes state and needs admin. */
export function scopeOf(route: Pick<RouteSpec, 'method'>): RouteScope {
  return route.method === 'GET' ? 'read' : 'admin';
}

export interface RegisterOptions {
  /** false: auth is off, no scope is checked. */
  readonly authOn: boolean;
}

export function registerRoutes(
  app: FastifyInstance,
  routes: readonly RouteSpec[],
  { authOn }: RegisterOptions,
): void {
  for (const route of routes) {
    const admin = scopeOf(route) === 'admin';
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        if (admin) requireAdmin(request, reply, authOn);
        const input = {
          params: route.params ? parseInput(route.params, request.params, 'params') : {},
          query: parseInput(route.query ?? noQuery, request.query, 'query'),
          body:
            route.body !== undefined
              ? parseInput(route.body, request.body, 'body')
              : route.method === 'POST'
                ? parseInput(noQuery, request.body, 'body')
                : {},
        };
        const result = await route.handle(input, request, reply);
        if (admin) {
          // Which token acted, never its secret: the audit trail of every change.
          request.log.info(
            { token: identityOf(request)?.name ?? null, method: route.method, url: request.url },
            'admin action',
          );
        }
        return result;
      },
    });
  }
}
