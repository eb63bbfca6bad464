import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.rate-limited');

/** A rate limiter (ours, or the remote service through 429) refused the call for now. */
export class RateLimitedError extends SluiceError {
  readonly code = 'SLUICE_RATE_LIMITED';
  readonly [marker] = true;

  constructor(
    readonly retryAfterMs: number,
    readonly key?: string,
    options?: ErrorOptions,
  ) {
    super(
      `rate limit${key === undefined ? '' : ` for ${key}`} reached; retry in ${Math.ceil(retryAfterMs)} ms`,
      options,
    );
  }
}

export function isRateLimitedError(value: unknown): value is RateLimitedError {
  return typeof value === 'object' && value !== null && marker in value;
}
