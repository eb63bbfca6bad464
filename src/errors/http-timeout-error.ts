import { maskUrl } from './mask-url.js';
import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.http-timeout');

/**
 * Where an HTTP request ran out of time:
 * - connect: no connection (or no free pooled one) within the limit;
 * - headers: connected and sent, but no response status and headers within the limit;
 * - body: no body bytes for longer than the limit (an idle limit, reset by every chunk).
 */
export type HttpTimeoutPhase = 'connect' | 'headers' | 'body';

/**
 * An HTTP request hit one of its phase time limits. Recoverable, and counted as a `timeout`
 * outcome like the policies' own TimeoutError (a separate class so the phase and the masked
 * URL travel with it).
 */
export class HttpTimeoutError extends SluiceError {
  readonly code = 'SLUICE_HTTP_TIMEOUT';
  readonly [marker] = true;
  readonly category = 'recoverable';
  readonly url: string;

  constructor(
    readonly phase: HttpTimeoutPhase,
    readonly timeoutMs: number,
    url: string | URL,
    readonly method = 'GET',
    options?: ErrorOptions,
  ) {
    const masked = maskUrl(url);
    super(`${phase} timeout: nothing within ${timeoutMs} ms (${method} ${masked})`, options);
    this.url = masked;
  }
}

export function isHttpTimeoutError(value: unknown): value is HttpTimeoutError {
  return typeof value === 'object' && value !== null && marker in value;
}
