import { InvalidConfigError } from '../errors/index.js';
import { CircuitBreaker, executeAt } from './circuit-breaker.js';
import { resolveBreakerOptions, type CircuitBreakerOptions } from './circuit-breaker-options.js';
import { circuitStates, type CircuitState } from './circuit-breaker-snapshot.js';
import { systemClock, type Clock } from './clock.js';
import { knownKeys } from './known-keys.js';
import {
  KeyedRegistry,
  keyedRegistryDefaults,
  lookupAt,
  type EvictionReason,
} from './keyed-registry.js';
import type { ExecuteContext } from './policy.js';

/**
 * Circuit breakers per service and key: one breaker per host of a service (`for('images',
 * 'cdn.example.com')`), so one dead CDN node does not open the breaker for every other node.
 * Services are few and named in configuration; keys are unbounded, so each service holds its
 * breakers in a KeyedRegistry bounded by `maxKeysPerService` and `idleMs`. `stats()` counts the
 * breakers of a service by state, for metrics and the health verdict.
 */

type BreakerSettings = Omit<CircuitBreakerOptions, 'name' | 'clock' | 'restore' | 'restoreAgeMs'>;

export interface BreakerRegistryOptions {
  /**
   * The options of every breaker, or a function giving them per service and key (to vary them
   * by service, or to `restore` a saved state). `name` defaults to `<service>:<key>` and
   * `clock` to the registry's.
   */
  readonly breaker?: BreakerSettings | ((service: string, key: string) => CircuitBreakerOptions);
  /** Default 10000. */
  readonly maxKeysPerService?: number;
  /**
   * A breaker unused for longer than this is evicted. Default 600000. It must outlast the
   * longest open duration, or an OPEN breaker would be forgotten and its host called again.
   */
  readonly idleMs?: number;
  /** Default systemClock. */
  readonly clock?: Clock;
  /** Told of every breaker made, e.g. to subscribe metrics to its events. */
  readonly onCreate?: (breaker: CircuitBreaker, service: string, key: string) => void;
  /** Told of every breaker evicted, e.g. to save its state. */
  readonly onEvict?: (
    breaker: CircuitBreaker,
    service: string,
    key: string,
    reason: EvictionReason,
  ) => void;
}

/** The breakers of one service, counted by state. */
export interface BreakerServiceStats {
  readonly service: string;
  readonly breakers: number;
  readonly states: Readonly<Record<CircuitState, number>>;
}

const F = 'breakerRegistry';

export class BreakerRegistry {
  readonly #services = new Map<string, KeyedRegistry<CircuitBreaker>>();
  // The service of the last execute and its registry (services are never removed).
  #lastService: string | undefined = undefined;
  #lastRegistry: KeyedRegistry<CircuitBreaker> | undefined = undefined;
  readonly #settings: (service: string, key: string) => CircuitBreakerOptions;
  readonly #clock: Clock;
  readonly #maxKeys: number;
  readonly #idleMs: number;
  readonly #onCreate: BreakerRegistryOptions['onCreate'];
  readonly #onEvict: BreakerRegistryOptions['onEvict'];

  constructor(options: BreakerRegistryOptions = {}) {
    knownKeys(options, F, [
      'breaker',
      'maxKeysPerService',
      'idleMs',
      'clock',
      'onCreate',
      'onEvict',
    ]);
    const { breaker = {}, clock = systemClock, onCreate, onEvict } = options;
    const { maxKeysPerService = keyedRegistryDefaults.maxKeys } = options;
    const { idleMs = keyedRegistryDefaults.idleMs } = options;
    if (!Number.isInteger(maxKeysPerService) || maxKeysPerService < 1) {
      throw new InvalidConfigError(`${F}.maxKeysPerService`, 'an integer >= 1', maxKeysPerService);
    }
    if (typeof idleMs !== 'number' || Number.isNaN(idleMs) || idleMs <= 0) {
      throw new InvalidConfigError(`${F}.idleMs`, 'a number > 0 (Infinity for never)', idleMs);
    }
    if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
      throw new InvalidConfigError(`${F}.clock`, 'an object with a now() method', clock);
    }
    for (const [name, hook] of [
      ['onCreate', onCreate],
      ['onEvict', onEvict],
    ] as const) {
      if (hook !== undefined && typeof hook !== 'function') {
        throw new InvalidConfigError(`${F}.${name}`, 'a function', hook);
      }
    }
    if (typeof breaker === 'function') {
      this.#settings = breaker;
    } else {
      // Fixed settings: validate them now, not on the first call for some host.
      const { maxOpenDurationMs } = resolveBreakerOptions({ ...breaker, clock });
      if (idleMs < maxOpenDurationMs) {
        throw new InvalidConfigError(
          `${F}.idleMs`,
          `>= the longest open duration (${maxOpenDurationMs} ms), so an OPEN breaker is not forgotten`,
          idleMs,
        );
      }
      this.#settings = () => breaker;
    }
    this.#clock = clock;
    this.#maxKeys = maxKeysPerService;
    this.#idleMs = idleMs;
    this.#onCreate = onCreate;
    this.#onEvict = onEvict;
  }

  /** The breaker for `key` (a host, a tenant) of `service`, created on first use. */
  for(service: string, key: string): CircuitBreaker {
    return (this.#services.get(service) ?? this.#registry(service)).for(key);
  }

  /**
   * Runs `fn` under the breaker for `key` of `service`: `for(service, key).execute(fn, signal)`
   * with one clock read instead of two (the lookup's reading is the call's start), for callers
   * that look a breaker up on every call, like the HTTP client per host.
   */
  execute<T>(
    service: string,
    key: string,
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    const clock = this.#clock;
    const now = clock.now();
    // Calls come in runs for one service (a client per service): skip the services Map then.
    let registry = this.#lastRegistry;
    if (service !== this.#lastService || registry === undefined) {
      registry = this.#services.get(service) ?? this.#registry(service);
      this.#lastService = service;
      this.#lastRegistry = registry;
    }
    return registry[lookupAt](key, now)[executeAt](fn, signal, clock, now);
  }

  /** The live breaker for `key` of `service`, if any; does not create one or count as a use. */
  get(service: string, key: string): CircuitBreaker | undefined {
    return this.#services.get(service)?.get(key);
  }

  /** The live breakers of `service` with their keys; does not count as a use. */
  *entries(service: string): IterableIterator<[string, CircuitBreaker]> {
    const registry = this.#services.get(service);
    if (registry) yield* registry;
  }

  /** Services seen so far. */
  services(): string[] {
    return [...this.#services.keys()];
  }

  /** A service's live breakers counted by state (reading a state applies due transitions). */
  stats(service: string): BreakerServiceStats {
    const states = Object.fromEntries(circuitStates.map((s) => [s, 0])) as Record<
      CircuitState,
      number
    >;
    let breakers = 0;
    for (const [, breaker] of this.#services.get(service) ?? []) {
      states[breaker.state]++;
      breakers++;
    }
    return { service, breakers, states };
  }

  /** stats() for every service. */
  allStats(): BreakerServiceStats[] {
    return this.services().map((service) => this.stats(service));
  }

  /** Evicts idle breakers of every service; returns how many. */
  sweep(): number {
    let evicted = 0;
    for (const registry of this.#services.values()) evicted += registry.sweep();
    return evicted;
  }

  #registry(service: string): KeyedRegistry<CircuitBreaker> {
    const onCreate = this.#onCreate;
    const onEvict = this.#onEvict;
    const registry = new KeyedRegistry<CircuitBreaker>({
      create: (key) => {
        const breaker = new CircuitBreaker({
          name: `${service}:${key}`,
          clock: this.#clock,
          ...this.#settings(service, key),
        });
        onCreate?.(breaker, service, key);
        return breaker;
      },
      maxKeys: this.#maxKeys,
      idleMs: this.#idleMs,
      clock: this.#clock,
      ...(onEvict && {
        onEvict: (key: string, breaker: CircuitBreaker, reason: EvictionReason) =>
          onEvict(breaker, service, key, reason),
      }),
    });
    this.#services.set(service, registry);
    return registry;
  }
}

export function breakerRegistry(options: BreakerRegistryOptions = {}): BreakerRegistry {
  return new BreakerRegistry(options);
}
