/**
 * The contract the circuit breaker's two sliding windows share (Resilience4j semantics): they
 * record the outcome of each finished call and answer "how many calls, failures and slow calls
 * are in the window right now". Counts are kept as running totals so every read and write is O(1)
 * (amortised, for the time window) and allocates nothing; only `snapshot()` builds an object.
 *
 * A window's state is plain JSON (`toJSON()`) so the breaker can persist and share it. Times in
 * that state are relative to the moment it was taken, never absolute clock readings: the default
 * clock (performance.now) has a different origin in every process.
 */

export type WindowOutcome = 'success' | 'failure';

/** What a window holds now. Rates are in [0, 1], and 0 when the window is empty. */
export interface WindowSnapshot {
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  readonly failureRate: number;
  readonly slowCallRate: number;
}

/** The last `size` calls, as a string oldest first: S success, F failure, lower case if slow. */
export interface CountWindowState {
  readonly kind: 'count';
  readonly size: number;
  readonly outcomes: string;
}

/** The calls of the last `seconds`, in `buckets` equal buckets, oldest first. */
export interface TimeWindowState {
  readonly kind: 'time';
  readonly seconds: number;
  readonly buckets: number;
  /** How long before the state was taken the newest bucket began, in [0, bucket length). */
  readonly newestBucketAgeMs: number;
  /** One [calls, failures, slowCalls] per bucket, oldest first; always `buckets` entries. */
  readonly counts: readonly (readonly [number, number, number])[];
}

export type SlidingWindowState = CountWindowState | TimeWindowState;

/**
 * `now` parameters take a reading of the window's clock when the caller already has one (the
 * breaker reads the clock once per call end), saving a read; omitted, the window reads it.
 */
export interface SlidingWindow {
  readonly kind: 'count' | 'time';
  /**
   * The counts as of the last record(), advance() or snapshot(): reading them never reads the
   * clock. For a time window, call advance() first to count as of now.
   */
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  record(outcome: WindowOutcome, slow: boolean, now?: number): void;
  /** Drops what has left the window by `now` (a no-op for a count window). */
  advance(now?: number): void;
  /** The counts as of `now`. */
  snapshot(now?: number): WindowSnapshot;
  /** Forgets every call. */
  reset(): void;
  toJSON(now?: number): SlidingWindowState;
}

/** A snapshot from three counts; the one place rates are computed, so every reader agrees. */
export function windowSnapshot(calls: number, failures: number, slowCalls: number): WindowSnapshot {
  return {
    calls,
    failures,
    slowCalls,
    failureRate: calls === 0 ? 0 : failures / calls,
    slowCallRate: calls === 0 ? 0 : slowCalls / calls,
  };
}

// One outcome in one byte: bit 0 set for a failure, bit 1 for a slow call.
export const FAILURE_BIT = 1;
export const SLOW_BIT = 2;
const outcomeLetters = 'SFsf';

export function encodeOutcome(outcome: WindowOutcome, slow: boolean): number {
  return (outcome === 'failure' ? FAILURE_BIT : 0) | (slow ? SLOW_BIT : 0);
}

export function outcomeLetter(code: number): string {
  return outcomeLetters.charAt(code);
}

/** The code of an outcome letter, or -1 if it is not one. */
export function outcomeCode(letter: string): number {
  return letter.length === 1 ? outcomeLetters.indexOf(letter) : -1;
}
