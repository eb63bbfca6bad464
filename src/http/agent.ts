import { Agent } from 'undici';
import type { ResolvedHttpOptions } from './options.js';

/**
 * The connection pool of one service: an undici Agent, which keeps one Pool of `connections`
 * keep-alive connections per origin. undici's own header and body timers are off (0): they tick
 * at about one second, too coarse for small limits, so every exchange runs its own timers
 * (exchange.ts). Its connect timeout stays on, a little past ours, so a connection attempt that
 * we have given up on is also torn down.
 */
export function createHttpAgent(options: ResolvedHttpOptions): Agent {
  return new Agent({
    connections: options.connections,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    keepAliveMaxTimeout: Math.max(options.keepAliveTimeoutMs, 600_000),
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: { timeout: options.connectTimeoutMs + 1_000 },
  });
}
