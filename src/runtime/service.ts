import type {
  BulkheadOptions,
  CircuitBreakerOptions,
  FallbackHandlers,
  FaultInjectionOptions,
  HedgingOptions,
  RateLimiterOptions,
  RetryOptions,
  TimeoutStrategy,
} from '../policies/index.js';
import type { HttpOptions } from '../http/index.js';

/**
 * What a pipeline declares about one external service: the policies every `ctx.call` to it runs
 * under, composed in the documented order (docs/policies.md): fallback -> rate limit -> total
 * timeout -> retry -> hedging -> circuit breaker -> bulkhead -> attempt timeout -> fault
 * injection -> your function. Everything is optional; a service with nothing declared is called
 * directly.
 */
export interface ServiceDefinition {
  /** Calls per second (token bucket or GCRA); waits in a bounded FIFO queue. */
  readonly rateLimit?: Omit<RateLimiterOptions, 'clock' | 'key'>;
  /** Limit on the whole call, retries and waits included (ms). */
  readonly totalTimeoutMs?: number;
  readonly retry?: Omit<RetryOptions, 'clock' | 'random'>;
  readonly hedging?: HedgingOptions;
  readonly circuitBreaker?: Omit<CircuitBreakerOptions, 'clock' | 'restore'>;
  readonly bulkhead?: BulkheadOptions;
  /** Limit on each attempt (ms). */
  readonly timeoutMs?: number;
  /** `cooperative` (default) aborts the signal; `aggressive` also stops waiting at once. */
  readonly timeoutStrategy?: TimeoutStrategy;
  /** Answers for failures by category; an answer marks the item degraded. */
  readonly fallback?: FallbackHandlers<unknown>;
  /** Latency, errors or substitute results injected on purpose (tests, chaos drills). */
  readonly faults?: FaultInjectionOptions<unknown>;
  /**
   * Keep a breaker and a rate-limit bucket per call key (`ctx.call(service, fn, { key })`,
   * e.g. the host), bounded in number and idle time.
   */
  readonly perKey?: boolean | { readonly maxKeys?: number; readonly idleMs?: number };
  /**
   * The HTTP client behind `ctx.http(service)`: pool size per origin, phase timeouts, size and
   * redirect limits, default headers (docs/http.md). Its requests always key the breaker and
   * the rate limit by host, `perKey` or not (bounded by `perKey.maxKeys` / `idleMs`).
   */
  readonly http?: HttpOptions;
}
