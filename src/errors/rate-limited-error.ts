import { errorStacksEnabled } from './error-stacks.js';
import { SluiceError } from './sluice-error.js';
import { messageFromFields, stacklessInstance } from './stackless.js';

const marker = Symbol.for('sluice.error.rate-limited');
const code = 'SLUICE_RATE_LIMITED';

/** A rate limiter (ours, or the remote service through 429) refused the call for now. */
export class RateLimitedError extends SluiceError {
  readonly code = code;
  readonly [marker] = true;

  constructor(
    readonly retryAfterMs: number,
    readonly key?: string,
    options?: ErrorOptions,
  ) {
    super(rateLimitedMessage(retryAfterMs, key), options);
  }

  /**
   * What a limiter that will not wait refuses a call with: this error, without a stack unless
   * stacks are turned on (see error-stacks.ts); everything else as `new` makes it.
   */
  static rejection(retryAfterMs: number, key?: string): RateLimitedError {
    if (errorStacksEnabled()) return new RateLimitedError(retryAfterMs, key);
    const error = stacklessInstance(RateLimitedError.prototype, 'RateLimitedError');
    error.retryAfterMs = retryAfterMs;
    error.key = key;
    error.code = code;
    error[marker] = true;
    return error as unknown as RateLimitedError;
  }
}

messageFromFields(RateLimitedError, (e) => rateLimitedMessage(e.retryAfterMs, e.key));

function rateLimitedMessage(retryAfterMs: number, key: string | undefined): string {
  const what = key === undefined ? '' : ` for ${key}`;
  return `rate limit${what} reached; retry in ${Math.ceil(retryAfterMs)} ms`;
}

export function isRateLimitedError(value: unknown): value is RateLimitedError {
  return typeof value === 'object' && value !== null && marker in value;
}
