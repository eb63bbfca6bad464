import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.aborted');

/**
 * The caller's own AbortSignal fired (shutdown, a parent timeout, a lost hedge). `cause` holds
 * the signal's reason. Not a failure of the service: breakers do not count it by default.
 */
export class AbortedError extends SluiceError {
  readonly code = 'SLUICE_ABORTED';
  readonly [marker] = true;

  constructor(reason?: unknown) {
    super(
      reason instanceof Error ? `aborted: ${reason.message}` : 'aborted',
      reason === undefined ? undefined : { cause: reason },
    );
  }
}

export function isAbortedError(value: unknown): value is AbortedError {
  return typeof value === 'object' && value !== null && marker in value;
}
