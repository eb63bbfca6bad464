/**
 * Why: the server is started by code (the CLI, a user's worker process) that may pass anything;
 * a bad option must fail at start with the field named (`server.rateLimit.burst must be ...`),
 * not as a 500 on the first request. Validated with zod through runtime's parseConfig, as
 * pipeline definitions are, then frozen.
 */
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import type { DependencyCheck, HealthReport, SluiceMetrics } from '../observe/index.js';
import type { Clock } from '../policies/index.js';
import { parseConfig } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import type { BreakerControl, WorkerSource } from './control.js';
import { checkTokens, minTokenLength, parseTokenList, type ApiToken } from './tokens.js';

/** A prom-client registry, or the metrics createMetrics built (its `.registry` is served). */
export type MetricsSource = Registry | Pick<SluiceMetrics, 'registry'>;

export interface ServerRateLimitOptions {
  /** Sustained requests per second per client IP. Default 20. */
  readonly ratePerSecond?: number;
  /** Requests admitted at once after a quiet spell. Default 40. */
  readonly burst?: number;
  /** Time source of the limiter (monotonic ms), for tests. Default performance.now(). */
  readonly clock?: Clock;
  /** Per-token limit after authentication, or `false`. Default 50/s, burst 100. */
  readonly perToken?: { readonly ratePerSecond?: number; readonly burst?: number } | false;
}

export interface ServerOptions {
  readonly store: Store;
  /** What GET /metrics serves; several are merged as mergeMetrics does. Default: no /metrics. */
  readonly metrics?: MetricsSource | readonly MetricsSource[];
  /** The current health verdict, e.g. `() => runner.health()`; undefined reads as no checks. */
  readonly health?: () => HealthReport | undefined | Promise<HealthReport | undefined>;
  /** Run on every GET /health/ready besides the built-in store check. */
  readonly dependencyChecks?: readonly DependencyCheck[];
  /** One admin bearer token of /api/v1 (named `default`): at least 16 characters. */
  readonly token?: string;
  /**
   * Scoped tokens: a list, or the text of SLUICE_API_TOKENS (`name:scope:secret,...` or
   * `@file`). `token` or `tokens` is required unless `auth: false`.
   */
  readonly tokens?: readonly ApiToken[] | string;
  /** Origins allowed to call the API from a browser (CORS). Default none: CORS is off. */
  readonly corsOrigins?: readonly string[];
  /** The live breakers of this process (the runner), for GET /breakers and reset. */
  readonly breakers?: BreakerControl;
  /** The workers GET /workers lists (a fleet registry); default this process. */
  readonly workers?: WorkerSource;
  /** `false` serves /api/v1 without authentication (a trusted network only). */
  readonly auth?: false;
  /** Per-client-IP limit on /api/v1 (answers 429 with Retry-After), or `false` for none. */
  readonly rateLimit?: ServerRateLimitOptions | false;
  /** Default createLogger(); the server logs as its `server` component. */
  readonly logger?: Logger;
  /** Wall clock in ms for store writes and ETAs. Default Date.now. */
  readonly now?: () => number;
  /** Passed to fastify: trust X-Forwarded-For from these proxies (for the per-IP limit). */
  readonly trustProxy?: boolean | string | readonly string[];
  /** Largest request body in bytes. Default 64 KiB. */
  readonly bodyLimit?: number;
}

export interface ResolvedServerOptions {
  readonly store: Store;
  readonly metrics: readonly Registry[];
  readonly health: ServerOptions['health'];
  readonly dependencyChecks: readonly DependencyCheck[];
  /** undefined: auth is off (`auth: false`). */
  readonly tokens: readonly ApiToken[] | undefined;
  readonly rateLimit:
    | {
        readonly ratePerSecond: number;
        readonly burst: number;
        readonly clock?: Clock;
        readonly perToken:
          | { readonly ratePerSecond: number; readonly burst: number; readonly clock?: Clock }
          | false;
      }
    | false;
  readonly corsOrigins: readonly string[];
  readonly breakers: BreakerControl | undefined;
  readonly workers: WorkerSource | undefined;
  readonly logger: Logger | undefined;
  readonly now: () => number;
  readonly trustProxy: boolean | string | string[] | undefined;
  readonly bodyLimit: number;
}

export { minTokenLength };
export const defaultRateLimit = Object.freeze({ ratePerSecond: 20, burst: 40 });
export const defaultTokenRateLimit = Object.freeze({ ratePerSecond: 50, burst: 100 });

const fn = <T>(expected: string) => z.custom<T>((v) => typeof v === 'function', expected);

const hasMethods = (v: unknown, names: readonly string[]) =>
  typeof v === 'object' &&
  v !== null &&
  names.every((n) => typeof (v as Record<string, unknown>)[n] === 'function');

const storeMethods = ['getRun', 'listRuns', 'counts', 'listItems', 'deadLetters', 'cancelRun'];

const metricsSource = z.custom<MetricsSource>(
  (v) => v instanceof Registry || (typeof v === 'object' && v !== null && 'registry' in v),
  'a prom-client Registry or the metrics createMetrics returned',
);

const dependencyCheck = z.object({
  name: z.string().min(1),
  check: fn<DependencyCheck['check']>('a function (signal) => Promise'),
  timeoutMs: z.number().positive().optional(),
  critical: z.boolean().optional(),
});

const schema = z
  .strictObject({
    store: z.custom<Store>((v) => hasMethods(v, storeMethods), 'a Store (createSqliteStore...)'),
    metrics: z.union([metricsSource, z.array(metricsSource).min(1)]).optional(),
    health: fn<NonNullable<ServerOptions['health']>>(
      'a function returning a HealthReport (e.g. () => runner.health())',
    ).optional(),
    dependencyChecks: z.array(dependencyCheck).optional(),
    token: z.string().min(minTokenLength).optional(),
    tokens: z
      .union([
        z.string(),
        z.array(z.strictObject({ name: z.string(), scope: z.string(), secret: z.string() })),
      ])
      .optional(),
    auth: z.literal(false).optional(),
    corsOrigins: z
      .array(z.url({ error: 'an origin such as "https://ops.example.com"' }))
      .optional(),
    breakers: z
      .custom<BreakerControl>(
        (v) => hasMethods(v, ['list', 'reset']),
        'an object with list() and reset()',
      )
      .optional(),
    workers: z
      .custom<WorkerSource>((v) => hasMethods(v, ['list']), 'an object with list()')
      .optional(),
    rateLimit: z
      .union([
        z.literal(false),
        z.strictObject({
          ratePerSecond: z.number().positive().optional(),
          burst: z.number().min(1).optional(),
          clock: z.custom<Clock>((v) => hasMethods(v, ['now']), 'an object with now()').optional(),
          perToken: z
            .union([
              z.literal(false),
              z.strictObject({
                ratePerSecond: z.number().positive().optional(),
                burst: z.number().min(1).optional(),
              }),
            ])
            .optional(),
        }),
      ])
      .optional(),
    logger: z
      .custom<Logger>((v) => hasMethods(v, ['child', 'info', 'error']), 'a pino logger')
      .optional(),
    now: fn<() => number>('a function returning milliseconds since the epoch').optional(),
    trustProxy: z.union([z.boolean(), z.string(), z.array(z.string())]).optional(),
    bodyLimit: z.int().min(1).optional(),
  })
  .superRefine((o, ctx) => {
    if (o.auth === undefined && o.token === undefined && o.tokens === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: `a bearer token of at least ${minTokenLength} characters, or tokens (or auth: false to serve /api/v1 without one)`,
      });
    }
    if (o.auth === false && (o.token !== undefined || o.tokens !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message: 'left out when a token is given (auth: false turns the token off)',
      });
    }
  });

export function parseServerOptions(options: ServerOptions): ResolvedServerOptions {
  const o = parseConfig(schema, options, 'server');
  const sources = o.metrics === undefined ? [] : Array.isArray(o.metrics) ? o.metrics : [o.metrics];
  const rateLimit =
    o.rateLimit === false
      ? false
      : Object.freeze({
          ratePerSecond: o.rateLimit?.ratePerSecond ?? defaultRateLimit.ratePerSecond,
          burst: o.rateLimit?.burst ?? defaultRateLimit.burst,
          ...(o.rateLimit?.clock ? { clock: o.rateLimit.clock } : {}),
          perToken:
            o.rateLimit?.perToken === false
              ? (false as const)
              : Object.freeze({
                  ratePerSecond:
                    o.rateLimit?.perToken?.ratePerSecond ?? defaultTokenRateLimit.ratePerSecond,
                  burst: o.rateLimit?.perToken?.burst ?? defaultTokenRateLimit.burst,
                  ...(o.rateLimit?.clock ? { clock: o.rateLimit.clock } : {}),
                }),
        });
  return Object.freeze({
    store: o.store,
    metrics: Object.freeze(
      sources.map((s: MetricsSource) => (s instanceof Registry ? s : s.registry)),
    ),
    health: o.health,
    dependencyChecks: Object.freeze([...(o.dependencyChecks ?? [])]),
    tokens: o.auth === false ? undefined : resolveTokens(o.token, o.tokens),
    corsOrigins: Object.freeze([...(o.corsOrigins ?? [])].map((u) => new URL(u).origin)),
    breakers: o.breakers,
    workers: o.workers,
    rateLimit,
    logger: o.logger,
    now: o.now ?? Date.now,
    trustProxy: Array.isArray(o.trustProxy) ? [...o.trustProxy] : o.trustProxy,
    bodyLimit: o.bodyLimit ?? 64 * 1024,
  });
}

/** `token` is the admin token named `default`; `tokens` adds (or is) the scoped list. */
function resolveTokens(
  token: string | undefined,
  tokens: string | readonly { name: string; scope: string; secret: string }[] | undefined,
): readonly ApiToken[] {
  const list: ApiToken[] =
    typeof tokens === 'string'
      ? parseTokenList(tokens, 'server.tokens')
      : [...(tokens ?? [])].map((t) => ({ ...t, scope: t.scope as ApiToken['scope'] }));
  if (token !== undefined) list.unshift({ name: 'default', scope: 'admin', secret: token });
  checkTokens(list, 'server.tokens');
  return Object.freeze(list.map((t) => Object.freeze({ ...t })));
}
