/**
 * The time source of every policy, injectable so tests can drive time by hand. `now()` is in
 * milliseconds and monotonic (it must never go backwards); it need not be wall-clock time.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = Object.freeze({ now: () => performance.now() });
