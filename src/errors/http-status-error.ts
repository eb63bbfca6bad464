import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.http-status');

/**
 * A remote service answered with a status that is not a success. Carries the status and the
 * raw Retry-After header (if any) so the classifier and retry can act on them.
 */
export class HttpStatusError extends SluiceError {
  readonly code = 'SLUICE_HTTP_STATUS';
  readonly [marker] = true;

  constructor(
    readonly status: number,
    readonly retryAfter?: string,
    readonly url?: string,
    options?: ErrorOptions,
  ) {
    super(`HTTP ${status}${url === undefined ? '' : ` from ${url}`}`, options);
  }
}

export function isHttpStatusError(value: unknown): value is HttpStatusError {
  return typeof value === 'object' && value !== null && marker in value;
}
