/**
 * Why: one client (a dashboard left open in many tabs, a script in a loop, someone guessing
 * tokens) must not starve the others or the workers sharing the store. Each client IP gets a
 * token bucket from our own keyed RateLimiter (src/policies): a request that does not fit is
 * refused at once, never queued, with 429 and `Retry-After` in whole seconds. It runs before
 * authentication so that token guessing is limited too.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiter, type Clock } from '../policies/index.js';
import { ApiError } from './errors.js';

export interface ClientRateLimitOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly clock?: Clock;
}

export type RateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** An onRequest hook admitting each client IP at `ratePerSecond`, `burst` at once. */
export function clientRateLimit(options: ClientRateLimitOptions): RateLimitHook {
  const limiter = new RateLimiter({
    ratePerSecond: options.ratePerSecond,
    burst: options.burst,
    maxQueued: 0,
    ...(options.clock ? { clock: options.clock } : {}),
  });

  return async (request, reply) => {
    const decision = limiter.tryAcquire(request.ip);
    if (decision.allowed) return;
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    reply.header('retry-after', String(seconds));
    throw new ApiError(
      429,
      'rate_limited',
      `too many requests from ${request.ip}: at most ${options.ratePerSecond} per second (burst ${options.burst}); retry after ${seconds} s`,
    );
  };
}
