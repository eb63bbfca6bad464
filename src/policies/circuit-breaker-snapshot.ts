import { InvalidConfigError } from '../errors/index.js';
import type { SlidingWindowState } from './sliding-window.js';

/**
 * The circuit breaker's state as plain JSON, one variant per state, so it can be saved by the
 * store, shared between workers and restored. Times are relative to the moment the snapshot was
 * taken (how long ago it opened, how long it has left), never absolute clock readings: the
 * default clock counts from process start, so an absolute reading would mean nothing elsewhere.
 * Probes in flight are not part of a snapshot; a restored HALF_OPEN breaker reissues their permits.
 */

export type CircuitState =
  'CLOSED' | 'OPEN' | 'HALF_OPEN' | 'FORCED_OPEN' | 'DISABLED' | 'METRICS_ONLY';

export const circuitStates: readonly CircuitState[] = Object.freeze([
  'CLOSED',
  'OPEN',
  'HALF_OPEN',
  'FORCED_OPEN',
  'DISABLED',
  'METRICS_ONLY',
]);

interface SnapshotBase {
  readonly version: 1;
  /** Opens since the last close; drives openDurationGrowth. */
  readonly consecutiveOpens: number;
  readonly window: SlidingWindowState;
}

export type CircuitBreakerSnapshot =
  | (SnapshotBase & { readonly state: 'CLOSED' })
  | (SnapshotBase & {
      readonly state: 'OPEN';
      /** How long before the snapshot the breaker opened. */
      readonly openedAgoMs: number;
      /** How long after the snapshot it may half-open. */
      readonly remainingMs: number;
    })
  | (SnapshotBase & {
      readonly state: 'HALF_OPEN';
      /** Probe verdicts so far in this HALF_OPEN phase. */
      readonly successes: number;
      readonly failures: number;
    })
  | (SnapshotBase & { readonly state: 'FORCED_OPEN' | 'DISABLED' | 'METRICS_ONLY' });

/**
 * Validates a snapshot against the breaker's half-open settings, naming the offending field
 * under `circuitBreaker.restore`. The window inside is validated by the window itself.
 */
export function checkBreakerSnapshot(
  value: unknown,
  halfOpen: { permits: number; successThreshold: number },
): CircuitBreakerSnapshot {
  const F = 'circuitBreaker.restore';
  if (typeof value !== 'object' || value === null) {
    throw new InvalidConfigError(F, 'a snapshot from CircuitBreaker.toJSON()', value);
  }
  const s = value as Record<string, unknown>;
  if (s.version !== 1) throw new InvalidConfigError(`${F}.version`, '1', s.version);
  if (!circuitStates.includes(s.state as CircuitState)) {
    throw new InvalidConfigError(`${F}.state`, `one of ${circuitStates.join(', ')}`, s.state);
  }
  count(`${F}.consecutiveOpens`, s.consecutiveOpens, Number.MAX_SAFE_INTEGER);
  if (typeof s.window !== 'object' || s.window === null) {
    throw new InvalidConfigError(`${F}.window`, 'a sliding window state', s.window);
  }
  if (s.state === 'OPEN') {
    duration(`${F}.openedAgoMs`, s.openedAgoMs);
    duration(`${F}.remainingMs`, s.remainingMs);
  } else if (s.state === 'HALF_OPEN') {
    const { permits, successThreshold } = halfOpen;
    // Any more and the phase would already have reached its verdict.
    count(`${F}.successes`, s.successes, successThreshold - 1);
    count(`${F}.failures`, s.failures, permits - successThreshold);
  }
  return value as CircuitBreakerSnapshot;
}

function count(field: string, value: unknown, max: number): void {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > max) {
    const expected =
      max === Number.MAX_SAFE_INTEGER ? 'an integer >= 0' : `an integer in [0, ${max}]`;
    throw new InvalidConfigError(field, expected, value);
  }
}

function duration(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidConfigError(field, 'a finite number >= 0', value);
  }
}
