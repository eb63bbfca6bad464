import {
  InvalidConfigError,
  classify,
  type Classification,
  type Classifier,
} from '../errors/index.js';
import { systemClock, type Clock } from './clock.js';
import type { CircuitBreakerSnapshot } from './circuit-breaker-snapshot.js';
import { knownKeys } from './known-keys.js';
import { checkCountWindowSize } from './sliding-window-count.js';
import { checkTimeWindow } from './sliding-window-time.js';

/**
 * The circuit breaker's options, their defaults, and their validation. Everything is checked
 * once, at construction, so a typo or an out-of-range value fails loudly with the option's full
 * name (`circuitBreaker.halfOpen.permits must be ...`) instead of silently misbehaving later;
 * unknown keys are refused for the same reason. Defaults follow Resilience4j where it has one.
 */

export type BreakerWindowOptions =
  | { readonly kind: 'count'; readonly size: number }
  | { readonly kind: 'time'; readonly seconds: number; readonly buckets?: number };

/** What a thrown error means to the breaker: a failure, a healthy answer, or nothing at all. */
export type OutcomeVerdict = 'failure' | 'success' | 'ignore';

export interface CircuitBreakerOptions {
  /** Names the breaker in errors and events. Default `circuit breaker`. */
  readonly name?: string;
  /** Default `{ kind: 'count', size: 100 }`. */
  readonly window?: BreakerWindowOptions;
  /** Opens when failures / calls in the window reach this, in (0, 1]. Default 0.5. */
  readonly failureRateThreshold?: number;
  /** A call taking at least this long is slow, whether it succeeds or fails. Default 60000. */
  readonly slowCallDurationMs?: number;
  /** Opens when slow calls / calls reach this, in (0, 1]. Default 1 (every call slow). */
  readonly slowCallRateThreshold?: number;
  /** No verdict before the window holds this many calls. Default 20 (at most window.size). */
  readonly minimumCalls?: number;
  /** How long OPEN lasts before a probe is allowed. Default 30000. */
  readonly openDurationMs?: number;
  /**
   * Re-opening without a close in between multiplies the open duration by `factor`, up to
   * `maxMs`: the n-th consecutive open lasts min(maxMs, openDurationMs * factor^(n - 1)).
   * A close (or reset) starts again from openDurationMs. Default: no growth.
   */
  readonly openDurationGrowth?: { readonly factor: number; readonly maxMs: number };
  readonly halfOpen?: {
    /** Exactly this many probes are admitted in HALF_OPEN, by permit. Default 3. */
    readonly permits?: number;
    /**
     * Healthy probes that close the breaker, in [1, permits]. Default `permits`. A healthy probe
     * succeeded within slowCallDurationMs; any other probe with a verdict counts against, and
     * the breaker re-opens as soon as the threshold is out of reach of the permits left.
     */
    readonly successThreshold?: number;
    /**
     * How long HALF_OPEN may have probes out without reaching a verdict before it gives up on
     * them and re-opens (a hung probe cannot wedge it). Default 60000.
     */
    readonly maxWaitMs?: number;
  };
  /** Maps a thrown value to its category. Default `classify` from errors. */
  readonly classifier?: Classifier;
  /**
   * Decides what a thrown error means before the defaults do: true a failure, false a success,
   * 'ignore' neither, undefined to fall through to the defaults below. The caller's own abort
   * is decided before this hook (see countCallerAbort).
   *
   * Defaults: `recoverable` and `non_recoverable` are failures, except that an HTTP 4xx (other
   * than 408/425/429, which are not non_recoverable) is a success, because the service answered;
   * `degraded` is a success (a partial answer is an answer); `rate_limited` is ignored.
   */
  readonly isFailure?: (
    error: unknown,
    classification: Classification,
  ) => boolean | 'ignore' | undefined;
  /** Count 429s and RateLimitedError as failures instead of ignoring them. Default false. */
  readonly countRateLimited?: boolean;
  /**
   * Count the caller's own abort (its signal aborted, or an AbortedError) as a failure instead
   * of ignoring it. Default false: a caller giving up says nothing about the service.
   */
  readonly countCallerAbort?: boolean;
  /** Count HTTP 4xx answers as failures instead of successes. Default false. */
  readonly countClientErrors?: boolean;
  /** Default systemClock. */
  readonly clock?: Clock;
  /** Start from a state taken by `toJSON()`; validated, since it comes from storage. */
  readonly restore?: CircuitBreakerSnapshot;
  /**
   * How long ago `restore` was taken (the store knows; the breaker cannot tell across
   * processes). Default 0: the snapshot's times are taken as relative to now.
   */
  readonly restoreAgeMs?: number;
}

/** Every option, validated and defaulted. */
export interface ResolvedBreakerOptions {
  readonly name: string;
  readonly window: Required<BreakerWindowOptions>;
  readonly failureRateThreshold: number;
  readonly slowCallDurationMs: number;
  readonly slowCallRateThreshold: number;
  readonly minimumCalls: number;
  readonly openDurationMs: number;
  readonly growthFactor: number;
  readonly maxOpenDurationMs: number;
  readonly permits: number;
  readonly successThreshold: number;
  readonly maxWaitMs: number;
  readonly classifier: Classifier;
  readonly isFailure: CircuitBreakerOptions['isFailure'];
  readonly countRateLimited: boolean;
  readonly countCallerAbort: boolean;
  readonly countClientErrors: boolean;
  readonly clock: Clock;
  readonly restore: CircuitBreakerSnapshot | undefined;
  readonly restoreAgeMs: number;
}

export const circuitBreakerDefaults = Object.freeze({
  name: 'circuit breaker',
  window: Object.freeze({ kind: 'count', size: 100 } as const),
  failureRateThreshold: 0.5,
  slowCallDurationMs: 60_000,
  slowCallRateThreshold: 1,
  minimumCalls: 20,
  openDurationMs: 30_000,
  halfOpenPermits: 3,
  halfOpenMaxWaitMs: 60_000,
});

const F = 'circuitBreaker';
const optionKeys = [
  'name',
  'window',
  'failureRateThreshold',
  'slowCallDurationMs',
  'slowCallRateThreshold',
  'minimumCalls',
  'openDurationMs',
  'openDurationGrowth',
  'halfOpen',
  'classifier',
  'isFailure',
  'countRateLimited',
  'countCallerAbort',
  'countClientErrors',
  'clock',
  'restore',
  'restoreAgeMs',
];

export function resolveBreakerOptions(options: CircuitBreakerOptions = {}): ResolvedBreakerOptions {
  knownKeys(options, F, optionKeys);
  const d = circuitBreakerDefaults;
  const name = options.name ?? d.name;
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidConfigError(`${F}.name`, 'a non-empty string', name);
  }
  const window = resolveWindow(options.window ?? d.window);
  const failureRateThreshold = rate(
    'failureRateThreshold',
    options.failureRateThreshold,
    d.failureRateThreshold,
  );
  const slowCallRateThreshold = rate(
    'slowCallRateThreshold',
    options.slowCallRateThreshold,
    d.slowCallRateThreshold,
  );
  const slowCallDurationMs = positive(
    `${F}.slowCallDurationMs`,
    options.slowCallDurationMs ?? d.slowCallDurationMs,
  );
  const maxMinimum = window.kind === 'count' ? window.size : Number.MAX_SAFE_INTEGER;
  const minimumCalls = options.minimumCalls ?? Math.min(d.minimumCalls, maxMinimum);
  if (!Number.isInteger(minimumCalls) || minimumCalls < 1 || minimumCalls > maxMinimum) {
    throw new InvalidConfigError(
      `${F}.minimumCalls`,
      window.kind === 'count'
        ? `an integer in [1, ${maxMinimum}] (at most window.size)`
        : 'an integer >= 1',
      minimumCalls,
    );
  }
  const openDurationMs = positive(
    `${F}.openDurationMs`,
    options.openDurationMs ?? d.openDurationMs,
  );
  const { growthFactor, maxOpenDurationMs } = resolveGrowth(options, openDurationMs);
  const halfOpen = object(`${F}.halfOpen`, options.halfOpen ?? {});
  knownKeys(halfOpen, `${F}.halfOpen`, ['permits', 'successThreshold', 'maxWaitMs']);
  const permits = halfOpen.permits ?? d.halfOpenPermits;
  if (!Number.isInteger(permits) || permits < 1) {
    throw new InvalidConfigError(`${F}.halfOpen.permits`, 'an integer >= 1', permits);
  }
  const successThreshold = halfOpen.successThreshold ?? permits;
  if (!Number.isInteger(successThreshold) || successThreshold < 1 || successThreshold > permits) {
    throw new InvalidConfigError(
      `${F}.halfOpen.successThreshold`,
      `an integer in [1, ${permits}] (at most halfOpen.permits)`,
      successThreshold,
    );
  }
  const maxWaitMs = positive(`${F}.halfOpen.maxWaitMs`, halfOpen.maxWaitMs ?? d.halfOpenMaxWaitMs);
  const classifier = fn(`${F}.classifier`, options.classifier ?? classify);
  const isFailure =
    options.isFailure === undefined ? undefined : fn(`${F}.isFailure`, options.isFailure);
  const clock = options.clock ?? systemClock;
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
    throw new InvalidConfigError(`${F}.clock`, 'an object with a now() method', clock);
  }
  const restoreAgeMs = options.restoreAgeMs ?? 0;
  if (typeof restoreAgeMs !== 'number' || !Number.isFinite(restoreAgeMs) || restoreAgeMs < 0) {
    throw new InvalidConfigError(`${F}.restoreAgeMs`, 'a finite number >= 0', restoreAgeMs);
  }
  return {
    name,
    window,
    failureRateThreshold,
    slowCallDurationMs,
    slowCallRateThreshold,
    minimumCalls,
    openDurationMs,
    growthFactor,
    maxOpenDurationMs,
    permits,
    successThreshold,
    maxWaitMs,
    classifier,
    isFailure,
    countRateLimited: bool('countRateLimited', options.countRateLimited),
    countCallerAbort: bool('countCallerAbort', options.countCallerAbort),
    countClientErrors: bool('countClientErrors', options.countClientErrors),
    clock,
    restore: options.restore,
    restoreAgeMs,
  };
}

function resolveWindow(window: BreakerWindowOptions): Required<BreakerWindowOptions> {
  const field = `${F}.window`;
  object(field, window);
  if (window.kind === 'count') {
    knownKeys(window, field, ['kind', 'size']);
    return { kind: 'count', size: checkCountWindowSize(window.size, field) };
  }
  if (window.kind === 'time') {
    knownKeys(window, field, ['kind', 'seconds', 'buckets']);
    return { kind: 'time', ...checkTimeWindow(window, field) };
  }
  throw new InvalidConfigError(
    `${field}.kind`,
    '"count" or "time"',
    (window as { kind: unknown }).kind,
  );
}

function resolveGrowth(
  options: CircuitBreakerOptions,
  openDurationMs: number,
): { growthFactor: number; maxOpenDurationMs: number } {
  if (options.openDurationGrowth === undefined) {
    return { growthFactor: 1, maxOpenDurationMs: openDurationMs };
  }
  const field = `${F}.openDurationGrowth`;
  const growth = object(field, options.openDurationGrowth);
  knownKeys(growth, field, ['factor', 'maxMs']);
  const { factor, maxMs } = growth;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
    throw new InvalidConfigError(`${field}.factor`, 'a finite number >= 1', factor);
  }
  if (typeof maxMs !== 'number' || !Number.isFinite(maxMs) || maxMs < openDurationMs) {
    throw new InvalidConfigError(
      `${field}.maxMs`,
      `a finite number >= openDurationMs (${openDurationMs})`,
      maxMs,
    );
  }
  return { growthFactor: factor, maxOpenDurationMs: maxMs };
}

function rate(option: string, value: unknown, fallback: number): number {
  const r = value ?? fallback;
  if (typeof r !== 'number' || !(r > 0 && r <= 1)) {
    throw new InvalidConfigError(`${F}.${option}`, 'in (0, 1]', r);
  }
  return r;
}

function positive(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidConfigError(field, 'a finite number > 0', value);
  }
  return value;
}

function bool(option: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InvalidConfigError(`${F}.${option}`, 'a boolean', value);
  }
  return value === true;
}

function fn<T>(field: string, value: T): T {
  if (typeof value !== 'function') throw new InvalidConfigError(field, 'a function', value);
  return value;
}

function object<T>(field: string, value: T): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidConfigError(field, 'an object', value);
  }
  return value;
}
