import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.timeout');

/** The work did not finish within its time limit. */
export class TimeoutError extends SluiceError {
  readonly code = 'SLUICE_TIMEOUT';
  readonly [marker] = true;

  constructor(
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`timed out after ${timeoutMs} ms`, options);
  }
}

export function isTimeoutError(value: unknown): value is TimeoutError {
  return typeof value === 'object' && value !== null && marker in value;
}
