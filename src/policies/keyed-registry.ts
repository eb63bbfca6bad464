import { InvalidConfigError } from '../errors/index.js';
import { systemClock, type Clock } from './clock.js';
import { knownKeys } from './known-keys.js';

/**
 * One policy instance per key (a breaker per host, a limiter per user), created on first use.
 * Keys come from the outside world and are unbounded, so the registry is bounded twice: at most
 * `maxKeys` instances, the least recently used evicted first, and none idle for longer than
 * `idleMs`. Both without timers. A Map finds the entry; an intrusive doubly linked list keeps the
 * entries in order of last use, so the oldest is always at the head. A hit relinks its entry at
 * the tail (no Map write, no allocation); each insertion evicts up to two expired entries from
 * the head, which outpaces growth; a hit on an expired entry replaces it. Every operation is
 * O(1) amortised. (Reordering the Map itself by delete and re-insert is not: V8 leaves deleted
 * slots at the front until it rehashes, so finding the oldest entry becomes a scan.) `sweep()`
 * evicts all idle entries at once, for callers that want memory back without new traffic.
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
  readonly key: string;
  readonly value: T;
  lastUsed: number;
  older: Entry<T> | undefined;
  newer: Entry<T> | undefined;
}

/**
 * The lookup of a caller that has read the clock already (BreakerRegistry.execute hands the same
 * reading to the breaker): one clock read per call instead of two. Not exported from index.ts.
 */
export const lookupAt: unique symbol = Symbol('sluice.keyedRegistry.lookupAt');

/** Evictions per insertion: more than one, so expired entries drain faster than keys arrive. */
const SWEEP_PER_INSERT = 2;

export class KeyedRegistry<T> implements Iterable<[string, T]> {
  readonly maxKeys: number;
  readonly idleMs: number;
  readonly #create: (key: string) => T;
  readonly #clock: Clock;
  readonly #onEvict: KeyedRegistryOptions<T>['onEvict'];
  readonly #entries = new Map<string, Entry<T>>();
  /** The least and the most recently used entries: the ends of the list. */
  #oldest: Entry<T> | undefined;
  #newest: Entry<T> | undefined;

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
    return this[lookupAt](key, this.#clock.now());
  }

  /** `for(key)` at `now`, a reading of this registry's clock the caller has just taken. */
  [lookupAt](key: string, now: number): T {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      if (now - hit.lastUsed <= this.idleMs) {
        hit.lastUsed = now;
        if (hit !== this.#newest) {
          this.#unlink(hit);
          this.#link(hit);
        }
        return hit.value;
      }
      this.#evict(hit, 'idle');
    }
    const value = this.#create(key);
    // An onEvict or create that called for(key) itself has just made another: this one wins.
    const raced = this.#entries.get(key);
    if (raced !== undefined) this.#evict(raced, 'deleted');
    const entry: Entry<T> = {
      key,
      value,
      lastUsed: now,
      older: undefined,
      newer: undefined,
    };
    this.#entries.set(key, entry);
    this.#link(entry);
    this.#sweepOldest(now, SWEEP_PER_INSERT);
    if (this.#entries.size > this.maxKeys) this.#evict(this.#oldest!, 'capacity');
    return value;
  }

  /** The instance for `key` if there is a live one; neither creates nor counts as a use. */
  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#clock.now() - entry.lastUsed <= this.idleMs) return entry.value;
    this.#evict(entry, 'idle');
    return undefined;
  }

  delete(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#evict(entry, 'deleted');
    return true;
  }

  /** Evicts every instance idle for longer than idleMs; returns how many. */
  sweep(): number {
    return this.#sweepOldest(this.#clock.now(), Number.POSITIVE_INFINITY);
  }

  /** Evicts everything (reason 'deleted'), oldest first. */
  clear(): void {
    while (this.#oldest !== undefined) this.#evict(this.#oldest, 'deleted');
  }

  /** Live instances, least recently used first (idle ones are swept first). */
  *[Symbol.iterator](): IterableIterator<[string, T]> {
    this.sweep();
    for (let entry = this.#oldest; entry !== undefined; entry = entry.newer) {
      yield [entry.key, entry.value];
    }
  }

  /** Evicts expired entries from the least recently used end, at most `limit` of them. */
  #sweepOldest(now: number, limit: number): number {
    let evicted = 0;
    // Re-read the head each time: onEvict may have changed the list.
    for (let entry = this.#oldest; entry !== undefined; entry = this.#oldest) {
      if (evicted >= limit || now - entry.lastUsed <= this.idleMs) break;
      this.#evict(entry, 'idle');
      evicted++;
    }
    return evicted;
  }

  /** Appends at the most recently used end. */
  #link(entry: Entry<T>): void {
    entry.older = this.#newest;
    entry.newer = undefined;
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
  }

  #unlink(entry: Entry<T>): void {
    if (entry.older === undefined) this.#oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === undefined) this.#newest = entry.older;
    else entry.newer.older = entry.older;
    entry.older = entry.newer = undefined;
  }

  #evict(entry: Entry<T>, reason: EvictionReason): void {
    this.#entries.delete(entry.key);
    this.#unlink(entry);
    if (this.#onEvict === undefined) return;
    try {
      this.#onEvict(entry.key, entry.value, reason);
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
