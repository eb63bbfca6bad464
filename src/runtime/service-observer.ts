import type { FailureCategory } from '../errors/index.js';
import type { BreakerStateName, ExternalCallOutcome } from '../observe/index.js';
import type { CircuitState } from '../policies/index.js';

/**
 * What the live policies of a pipeline's services report, for metrics and the run summary.
 * Host keys of per-key breakers are passed along but are never metric labels.
 */
export interface ServiceObserver {
  retried(service: string, category: FailureCategory): void;
  breakerTransition(service: string, key: string, from: CircuitState, to: CircuitState): void;
  breakerEvicted(service: string, key: string): void;
  rateLimitWaited(service: string, waitMs: number): void;
  rateLimitRejected(service: string): void;
  /** One `ctx.call` finished (after its retries), with how. */
  called(service: string, outcome: ExternalCallOutcome, durationMs: number): void;
}

/** Our six breaker states folded onto the three a dashboard shows. */
export function breakerStateName(state: CircuitState): BreakerStateName {
  switch (state) {
    case 'OPEN':
    case 'FORCED_OPEN':
      return 'open';
    case 'HALF_OPEN':
      return 'half_open';
    default:
      return 'closed';
  }
}
