import { InvalidConfigError } from '../errors/index.js';

/**
 * What a rate limiter needs from an algorithm: pure arithmetic over one key's state, with time
 * passed in, so the limiter owns keys, queues and timers and the algorithms stay tiny and exact.
 * `S` is whatever the algorithm stores per key (GCRA: one number; token bucket: an object).
 */
export interface RateAlgorithm<S> {
  readonly name: 'token-bucket' | 'gcra';
  readonly ratePerSecond: number;
  readonly burst: number;
  /**
   * Admits `cost` at `now` and returns the new state (possibly `state` itself, mutated), or
   * undefined when `cost` does not fit yet (leaving `state` untouched). An undefined `state` is a
   * key never seen (or dropped while idle): a full bucket.
   */
  take(state: S | undefined, cost: number, now: number): S | undefined;
  /**
   * Milliseconds from `now` until `cost` fits, 0 if it fits now. Exact for any `cost`, even above
   * the burst: then it is when a FIFO queue whose costs sum to `cost` will have been admitted.
   */
  waitMs(state: S | undefined, cost: number, now: number): number;
  /** When `state` is full again, so dropping it changes nothing. */
  idleAt(state: S): number;
}

/**
 * Slack for floating-point error in the admit comparisons (in tokens): waking at exactly the
 * computed time must admit, although `0.1 + 0.2`-style rounding may leave it 1e-15 short. It
 * cannot be noticed in any limit (one billionth of a token).
 */
export const rateEpsilon = 1e-9;

export function checkRate(field: string, ratePerSecond: unknown): number {
  if (typeof ratePerSecond !== 'number' || !Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
    throw new InvalidConfigError(field, 'a finite number > 0', ratePerSecond);
  }
  return ratePerSecond;
}

export function checkBurst(field: string, burst: unknown): number {
  if (typeof burst !== 'number' || !Number.isFinite(burst) || burst < 1) {
    throw new InvalidConfigError(field, 'a finite number >= 1', burst);
  }
  return burst;
}
