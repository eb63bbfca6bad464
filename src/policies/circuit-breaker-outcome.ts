import { isAbortedError } from '../errors/index.js';
import type { OutcomeVerdict, ResolvedBreakerOptions } from './circuit-breaker-options.js';

/**
 * What a thrown error means to the breaker. Kept apart from the state machine because it is
 * policy, not mechanism: the breaker exists to notice a service that has stopped answering, so
 * only errors that say so count. The caller giving up (its own abort) and the service throttling
 * us (429, our own rate limiter) say nothing about its health and are ignored by default; a 4xx is
 * the service answering, so by default it counts as a success. See CircuitBreakerOptions.isFailure.
 */
export function judgeError(
  error: unknown,
  callerAborted: boolean,
  options: ResolvedBreakerOptions,
): OutcomeVerdict {
  if (callerAborted || isAbortedError(error)) {
    return options.countCallerAbort ? 'failure' : 'ignore';
  }
  const classification = options.classifier(error);
  const own = options.isFailure?.(error, classification);
  if (own !== undefined) return own === 'ignore' ? 'ignore' : own ? 'failure' : 'success';
  switch (classification.category) {
    case 'rate_limited':
      return options.countRateLimited ? 'failure' : 'ignore';
    case 'degraded':
      return 'success';
    case 'non_recoverable': {
      const status = classification.status;
      const clientError = status !== undefined && status >= 400 && status < 500;
      return clientError && !options.countClientErrors ? 'success' : 'failure';
    }
    case 'recoverable':
      return 'failure';
  }
}
