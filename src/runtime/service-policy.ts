import { InvalidConfigError, isInvalidConfigError } from '../errors/index.js';
import {
  breakerRegistry,
  bulkhead,
  circuitBreaker,
  compose,
  fallback,
  faultInjection,
  hedging,
  keyedRegistry,
  rateLimiter,
  retry,
  timeout,
  type BreakerRegistry,
  type CircuitBreaker,
  type FallbackPolicy,
  type FaultInjectionPolicy,
  type KeyedRegistry,
  type Policy,
  type RateLimiter,
} from '../policies/index.js';
import {
  SharedCircuitBreaker,
  SharedRateLimiter,
  type SharedStateLink,
} from '../coordination/index.js';
import { createHttpAgent, resolveHttpOptions, type ResolvedHttpOptions } from '../http/index.js';
import type { Agent } from 'undici';
import type { ServiceDefinition } from './service.js';
import type { ServiceObserver } from './service-observer.js';

/** The live policies of one service: shared parts built once, per-key parts built on demand. */
export class ServicePolicy {
  readonly name: string;
  readonly fallback: FallbackPolicy<unknown> | undefined;
  readonly limiter: RateLimiter | undefined;
  readonly faults: FaultInjectionPolicy<unknown> | undefined;
  /** Every breaker of the service (one, or one per key), for metrics, health and persistence. */
  readonly breakers: BreakerRegistry | undefined;
  /** With fleet coordination: the service's limit, shared by every process. */
  readonly sharedLimiter: SharedRateLimiter | undefined;
  /** With fleet coordination: the service's breakers (by key, '' if not per key), shared. */
  readonly sharedBreakers = new Map<string, SharedCircuitBreaker>();
  /** The options of the service's HTTP client (`ctx.http`), checked at load. */
  readonly http: ResolvedHttpOptions;
  /**
   * The attempt timeout when it is the only thing in the chain that aborts a running attempt
   * (no hedging, total timeout or faults): `ctx.http` then enforces it with a timer of its own
   * instead of the timeout policy's signal, which costs an AbortController per attempt.
   */
  readonly httpAttemptTimeoutMs: number | undefined;
  readonly #perKey: boolean;
  #agent: Agent | undefined;
  readonly #chains: KeyedRegistry<Policy>;
  readonly #build: (key: string) => Policy;

  constructor(
    name: string,
    definition: ServiceDefinition,
    observer?: ServiceObserver,
    shared?: SharedStateLink,
  ) {
    this.name = name;
    const d = definition;
    this.fallback = d.fallback ? fallback(d.fallback) : undefined;
    // A shared limit is the fleet's budget; the local limiter still validates the options.
    this.limiter = d.rateLimit ? rateLimiter(d.rateLimit) : undefined;
    this.sharedLimiter =
      shared && d.rateLimit
        ? new SharedRateLimiter({
            link: shared,
            name,
            ratePerSecond: d.rateLimit.ratePerSecond,
            ...(d.rateLimit.burst === undefined ? {} : { burst: d.rateLimit.burst }),
            ...(d.rateLimit.maxWaitMs === undefined ? {} : { maxWaitMs: d.rateLimit.maxWaitMs }),
          })
        : undefined;
    const sharedBreaker = (key: string): SharedCircuitBreaker => {
      let breaker = this.sharedBreakers.get(key);
      if (!breaker) {
        breaker = new SharedCircuitBreaker({
          ...d.circuitBreaker,
          link: shared!,
          name: key === '' ? name : `${name}:${key}`,
        });
        if (observer) {
          breaker.onStateChange((change) =>
            observer.breakerTransition(name, key, upper(change.from), upper(change.to)),
          );
        }
        this.sharedBreakers.set(key, breaker);
      }
      return breaker;
    };
    this.faults = d.faults ? faultInjection(d.faults) : undefined;
    this.http = resolveHttpOptions(d.http, 'http');
    this.httpAttemptTimeoutMs =
      d.timeoutMs !== undefined &&
      d.hedging === undefined &&
      d.totalTimeoutMs === undefined &&
      d.faults === undefined
        ? d.timeoutMs
        : undefined;
    this.#perKey = d.perKey !== undefined && d.perKey !== false;
    const perKey = typeof d.perKey === 'object' ? d.perKey : {};
    this.breakers = d.circuitBreaker
      ? breakerRegistry({
          breaker: (service, key) => ({
            ...d.circuitBreaker,
            name: key === '' ? service : `${service}:${key}`,
          }),
          ...(perKey.maxKeys === undefined ? {} : { maxKeysPerService: perKey.maxKeys }),
          ...(perKey.idleMs === undefined ? {} : { idleMs: perKey.idleMs }),
          ...(observer
            ? {
                onCreate: (breaker: CircuitBreaker, service: string, key: string) => {
                  breaker.onStateChange((change) =>
                    observer.breakerTransition(service, key, change.from, change.to),
                  );
                },
                onEvict: (_breaker: CircuitBreaker, service: string, key: string) =>
                  observer.breakerEvicted(service, key),
              }
            : {}),
        })
      : undefined;
    if (observer) {
      this.limiter?.onWait((event) => observer.rateLimitWaited(name, event.waitMs));
      this.limiter?.onReject(() => observer.rateLimitRejected(name));
    }
    // Shared by every key: retry (stateless but for its budget), timeouts, the bulkhead.
    const totalTimeout = d.totalTimeoutMs === undefined ? undefined : timeout(d.totalTimeoutMs);
    const retryPolicy = d.retry ? retry(d.retry) : undefined;
    if (observer) retryPolicy?.onRetry((event) => observer.retried(name, event.category));
    const hedge = d.hedging ? hedging(d.hedging) : undefined;
    const slots = d.bulkhead ? bulkhead(d.bulkhead.maxConcurrent, d.bulkhead.maxQueued) : undefined;
    const attemptTimeout =
      d.timeoutMs === undefined
        ? undefined
        : timeout(d.timeoutMs, d.timeoutStrategy ? { strategy: d.timeoutStrategy } : {});
    this.#build = (key) => {
      const layers: (Policy | undefined)[] = [
        this.sharedLimiter ? this.sharedLimiter.keyed(key) : this.limiter?.keyed(key),
        totalTimeout,
        retryPolicy,
        hedge,
        shared && d.circuitBreaker ? sharedBreaker(key) : this.breakers?.for(name, key),
        slots,
        attemptTimeout,
        this.faults as Policy | undefined,
      ];
      return compose(...layers.filter((layer): layer is Policy => layer !== undefined));
    };
    this.#chains = keyedRegistry({
      create: this.#build,
      ...(perKey.maxKeys === undefined ? {} : { maxKeys: perKey.maxKeys }),
      ...(perKey.idleMs === undefined ? {} : { idleMs: perKey.idleMs }),
    });
    // Every option is checked at load, not at the first call: the shared parts are built above;
    // breakers are built per key, so check the breaker options once on their own.
    if (this.#perKey) {
      if (d.circuitBreaker) circuitBreaker(d.circuitBreaker);
    } else this.#chains.for('');
  }

  /** The composed policy for one call key ('' when the service is not per-key). */
  policyFor(key: string | undefined): Policy {
    return this.#chains.for(this.#perKey && key !== undefined ? key : '');
  }

  /**
   * The composed policy for `key` whether or not the service is per-key: `ctx.http` keys every
   * request by its host, so one dead host opens its own breaker, not the service's.
   */
  policyForKey(key: string): Policy {
    return this.#chains.for(key);
  }

  /** The service's connection pool (one undici Agent, `http.connections` per origin), made on first use. */
  httpAgent(): Agent {
    this.#agent ??= createHttpAgent(this.http);
    return this.#agent;
  }

  /**
   * Stops the shared policies' timers and subscriptions (flushing batched outcomes) and closes
   * the HTTP pool, if one was made.
   */
  async close(): Promise<void> {
    this.sharedLimiter?.close();
    const agent = this.#agent;
    this.#agent = undefined;
    await Promise.all([
      ...[...this.sharedBreakers.values()].map((breaker) => breaker.close()),
      agent?.close(),
    ]);
  }

  /** The service-wide breaker, if the service has one and is not per-key. */
  get breaker(): CircuitBreaker | undefined {
    return this.breakers?.get(this.name, '');
  }
}

/** Builds a service's policies, naming `pipeline.services.<name>.<option>` on a bad option. */
export function buildServicePolicy(
  name: string,
  definition: ServiceDefinition,
  observer?: ServiceObserver,
  shared?: SharedStateLink,
): ServicePolicy {
  try {
    return new ServicePolicy(name, definition, observer, shared);
  } catch (error) {
    if (isInvalidConfigError(error)) {
      throw new InvalidConfigError(
        `pipeline.services.${name}.${error.field}`,
        error.expected,
        error.got,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

function upper(state: 'closed' | 'open' | 'half_open'): 'CLOSED' | 'OPEN' | 'HALF_OPEN' {
  return state === 'closed' ? 'CLOSED' : state === 'open' ? 'OPEN' : 'HALF_OPEN';
}
