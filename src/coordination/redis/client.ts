import { Redis } from 'ioredis';

export interface RedisConnectOptions {
  readonly url: string;
  /** Prepended to every key, so several deployments (or test files) can share one Redis. */
  readonly keyPrefix?: string;
  /**
   * A command not answered within this long fails (and shared policies fall back to local
   * state) instead of waiting for a reconnect. Default 1000 ms.
   */
  readonly commandTimeoutMs?: number;
}

/**
 * A Redis connection for shared coordination state (breakers, rate-limit buckets). Commands
 * fail fast instead of queueing forever while Redis is down, so callers can fall back to
 * local state.
 */
export function createRedisClient(options: RedisConnectOptions): Redis {
  return new Redis(options.url, {
    keyPrefix: options.keyPrefix ?? 'sluice:',
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    commandTimeout: options.commandTimeoutMs ?? 1000,
  });
}
