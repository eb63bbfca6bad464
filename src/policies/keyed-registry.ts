import { InvalidConfigError } from '../errors/index.js';
import { systemClock, type Clock } from './clock.js';
import { knownKeys } from './known-keys.js';

/**
 * One policy instance per key (a breaker per host, a limiter per user), created on first use.
 * Keys come from the outside world and are unbounded, so the registry is bounded twice: at most
 * `maxKeys` instances, the least recently used evicted first, and none idle for longer than
 * `idleMs`. Both without timers: a Map kept in least-recently-used order (a hit moves its key to
 * the end), so the oldest entry is always first; each insertion evicts up to two expired entries
 * from the front, which outpaces growth, and a hit on an expired entry replaces it. Every
 * operation is O(1) amortised and a hit allocates nothing. `sweep()` evicts all idle entries at
 * once, for callers that want memory back without new traffic.
 */

export type EvictionReason = 'capacity' | 'idle' | 'deleted';

export interface KeyedRegistryOptions<T> {
  /** Makes the instance for a key on its first use (and again after it was evicted). */
  readonly create: (key: string) => T;
  /** Default 10000. */
  readonly maxKeys?: number;
  /** An instance unused for longer than this is evicted. Default 600000; Infinity for never. */
  readonly idleMs?: number;
  /** Default systemClock. */
  readonly clock?: Clock;
  /** Told of every instance leaving the registry, to dispose of it or flush its state. */
  readonly onEvict?: (key: string, value: T, reason: EvictionReason) => void;
}

export const keyedRegistryDefaults = Object.freeze({ maxKeys: 10_000, idleMs: 600_000 });

interface Entry<T> {
  readonly value: T;
  lastUsed: number;
}

/** Evictions per insertion: more than one, so expired entries drain faster than keys arrive. */
const SWEEP_PER_INSERT = 2;

export class KeyedRegistry<T> implements Iterable<[string, T]> {
  readonly maxKeys: number;
  readonly idleMs: number;
  readonly #create: (key: string) => T;
  readonly #clock: Clock;
  readonly #onEvict: KeyedRegistryOptions<T>['onEvict'];
  readonly #entries = new Map<string, Entry<T>>();
  /** The most recently used key: hits on it skip the reordering. */
  #newest: string | undefined;

  constructor(options: KeyedRegistryOptions<T>) {
    const field = 'keyedRegistry';
    knownKeys(options, field, ['create', 'maxKeys', 'idleMs', 'clock', 'onEvict']);
    const { create, onEvict, clock = systemClock } = options;
    const { maxKeys = keyedRegistryDefaults.maxKeys, idleMs = keyedRegistryDefaults.idleMs } =
      options;
    if (typeof create !== 'function') {
      throw new InvalidConfigError(`${field}.create`, 'a function', create);
    }
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new InvalidConfigError(`${field}.maxKeys`, 'an integer >= 1', maxKeys);
    }
    if (typeof idleMs !== 'number' || Number.isNaN(idleMs) || idleMs <= 0) {
      throw new InvalidConfigError(`${field}.idleMs`, 'a number > 0 (Infinity for never)', idleMs);
    }
    if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
      throw new InvalidConfigError(`${field}.clock`, 'an object with a now() method', clock);
    }
    if (onEvict !== undefined && typeof onEvict !== 'function') {
      throw new InvalidConfigError(`${field}.onEvict`, 'a function', onEvict);
    }
    this.#create = create;
    this.maxKeys = maxKeys;
    this.idleMs = idleMs;
    this.#clock = clock;
    this.#onEvict = onEvict;
  }

  /** Instances held, including idle ones not yet swept (call sweep() first for an exact count). */
  get size(): number {
    return this.#entries.size;
  }

  /** The instance for `key`, created if it has none (or its old one was evicted). */
  for(key: string): T {
    const now = this.#clock.now();
    const entries = this.#entries;
    const entry = entries.get(key);
    if (entry !== undefined) {
      if (now - entry.lastUsed <= this.idleMs) {
        entry.lastUsed = now;
        if (this.#newest !== key) {
          entries.delete(key);
          entries.set(key, entry);
          this.#newest = key;
        }
        return entry.value;
      }
      this.#evict(key, entry, 'idle');
    }
    const value = this.#create(key);
    entries.set(key, { value, lastUsed: now });
    this.#newest = key;
    this.#sweepFront(now, SWEEP_PER_INSERT);
    if (entries.size > this.maxKeys) {
      const [oldestKey, oldest] = entries.entries().next().value!;
      this.#evict(oldestKey, oldest, 'capacity');
    }
    return value;
  }

  /** The instance for `key` if there is a live one; neither creates nor counts as a use. */
  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#clock.now() - entry.lastUsed <= this.idleMs) return entry.value;
    this.#evict(key, entry, 'idle');
    return undefined;
  }

  delete(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#evict(key, entry, 'deleted');
    return true;
  }

  /** Evicts every instance idle for longer than idleMs; returns how many. */
  sweep(): number {
    return this.#sweepFront(this.#clock.now(), Number.POSITIVE_INFINITY);
  }

  /** Evicts everything (reason 'deleted'). */
  clear(): void {
    for (const [key, entry] of this.#entries) this.#evict(key, entry, 'deleted');
  }

  /** Live instances, least recently used first (idle ones are swept first). */
  *[Symbol.iterator](): IterableIterator<[string, T]> {
    this.sweep();
    for (const [key, entry] of this.#entries) yield [key, entry.value];
  }

  /** Evicts expired entries from the least recently used end, at most `limit` of them. */
  #sweepFront(now: number, limit: number): number {
    let evicted = 0;
    for (const [key, entry] of this.#entries) {
      if (evicted >= limit || now - entry.lastUsed <= this.idleMs) break;
      this.#evict(key, entry, 'idle');
      evicted++;
    }
    return evicted;
  }

  #evict(key: string, entry: Entry<T>, reason: EvictionReason): void {
    this.#entries.delete(key);
    if (this.#newest === key) this.#newest = undefined;
    if (this.#onEvict === undefined) return;
    try {
      this.#onEvict(key, entry.value, reason);
    } catch (error) {
      // A listener's bug must not fail the caller's lookup; report it like an event listener's.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

export function keyedRegistry<T>(options: KeyedRegistryOptions<T>): KeyedRegistry<T> {
  return new KeyedRegistry(options);
}
