import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.breaker-open');

/**
 * A circuit breaker refused the call without running it (fast fail). `retryAfterMs` is how long
 * until it may admit a probe again, when known, so a retry can wait for it instead of failing.
 */
export class BreakerOpenError extends SluiceError {
  readonly code = 'SLUICE_BREAKER_OPEN';
  readonly [marker] = true;

  constructor(
    readonly state: 'OPEN' | 'FORCED_OPEN' | 'HALF_OPEN',
    readonly retryAfterMs: number | undefined,
    readonly breaker = 'circuit breaker',
  ) {
    super(
      `${breaker} is ${state}${retryAfterMs === undefined ? '' : `; may admit a call in ${Math.ceil(retryAfterMs)} ms`}`,
    );
  }
}

export function isBreakerOpenError(value: unknown): value is BreakerOpenError {
  return typeof value === 'object' && value !== null && marker in value;
}
