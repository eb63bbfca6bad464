import { errorStacksEnabled } from './error-stacks.js';
import { SluiceError } from './sluice-error.js';
import { messageFromFields, stacklessInstance } from './stackless.js';

const marker = Symbol.for('sluice.error.breaker-open');
const code = 'SLUICE_BREAKER_OPEN';

type RefusingState = 'OPEN' | 'FORCED_OPEN' | 'HALF_OPEN';

/**
 * A circuit breaker refused the call without running it (fast fail). `retryAfterMs` is how long
 * until it may admit a probe again, when known, so a retry can wait for it instead of failing.
 */
export class BreakerOpenError extends SluiceError {
  readonly code = code;
  readonly [marker] = true;

  constructor(
    readonly state: RefusingState,
    readonly retryAfterMs: number | undefined,
    readonly breaker = 'circuit breaker',
  ) {
    super(breakerOpenMessage(state, retryAfterMs, breaker));
  }

  /**
   * What a breaker refuses a call with: this error, without a stack unless stacks are turned on
   * (see error-stacks.ts); everything else as `new` makes it.
   */
  static rejection(
    state: RefusingState,
    retryAfterMs: number | undefined,
    breaker = 'circuit breaker',
  ): BreakerOpenError {
    if (errorStacksEnabled()) return new BreakerOpenError(state, retryAfterMs, breaker);
    const error = stacklessInstance(BreakerOpenError.prototype, 'BreakerOpenError');
    error.state = state;
    error.retryAfterMs = retryAfterMs;
    error.breaker = breaker;
    error.code = code;
    error[marker] = true;
    return error as unknown as BreakerOpenError;
  }
}

messageFromFields(BreakerOpenError, (e) => breakerOpenMessage(e.state, e.retryAfterMs, e.breaker));

function breakerOpenMessage(
  state: RefusingState,
  retryAfterMs: number | undefined,
  breaker: string,
): string {
  const after =
    retryAfterMs === undefined ? '' : `; may admit a call in ${Math.ceil(retryAfterMs)} ms`;
  return `${breaker} is ${state}${after}`;
}

export function isBreakerOpenError(value: unknown): value is BreakerOpenError {
  return typeof value === 'object' && value !== null && marker in value;
}
