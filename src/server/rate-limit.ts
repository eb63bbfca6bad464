/**
 * Why: one client (a dashboard left open in many tabs, a script in a loop, someone guessing
 * tokens) must not starve the others or the workers sharing the store. Each client IP, and each
 * token once it is known, gets a token bucket from our own keyed RateLimiter (src/policies): a
 * request that does not fit is refused at once, never queued, with 429 and `Retry-After` in whole
 * seconds. The per-IP limit runs before authentication so that token guessing is limited too;
 * the per-token limit after it, so one token shared by many addresses is still bounded.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiter, type Clock } from '../policies/index.js';
import { identityOf } from './auth.js';
import { ApiError } from './errors.js';

export interface ClientRateLimitOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly clock?: Clock;
}

export type RateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** An onRequest hook admitting each client IP at `ratePerSecond`, `burst` at once. */
export function clientRateLimit(options: ClientRateLimitOptions): RateLimitHook {
  return keyedRateLimit(options, (request) => ({ key: request.ip, who: request.ip }));
}

/** An onRequest hook (after bearerAuth) admitting each token at `ratePerSecond`. */
export function tokenRateLimit(options: ClientRateLimitOptions): RateLimitHook {
  return keyedRateLimit(options, (request) => {
    const name = identityOf(request)?.name;
    return name === undefined ? undefined : { key: name, who: `token ${name}` };
  });
}

function keyedRateLimit(
  options: ClientRateLimitOptions,
  keyOf: (request: FastifyRequest) => { key: string; who: string } | undefined,
): RateLimitHook {
  const limiter = new RateLimiter({
    ratePerSecond: options.ratePerSecond,
    burst: options.burst,
    maxQueued: 0,
    ...(options.clock ? { clock: options.clock } : {}),
  });

  return async (request, reply) => {
    const client = keyOf(request);
    if (client === undefined) return;
    const decision = limiter.tryAcquire(client.key);
    if (decision.allowed) return;
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    reply.header('retry-after', String(seconds));
    throw new ApiError(
      429,
      'rate_limited',
      `too many requests from ${client.who}: at most ${options.ratePerSecond} per second (burst ${options.burst}); retry after ${seconds} s`,
    );
  };
}
