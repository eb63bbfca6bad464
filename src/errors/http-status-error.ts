import { maskUrl } from './mask-url.js';
import { parseRetryAfter } from './retry-after.js';
import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.http-status');

export interface HttpStatusErrorOptions extends ErrorOptions {
  /**
   * When the response arrived (ms since the epoch), the base of a Retry-After HTTP-date.
   * Default now. Read at construction, so the delay is the one the server meant when it
   * answered, not one that shrinks while the error waits to be classified.
   */
  readonly receivedAtMs?: number;
  /** The request method, named in the message. */
  readonly method?: string;
}

/**
 * A remote service answered with a status that is not a success. Carries the status, the raw
 * Retry-After header (if any) and the delay it asks for (`retryAfterMs`, seconds or HTTP-date),
 * so the classifier and retry can act on them. The URL is stored and named with its credentials
 * masked.
 */
export class HttpStatusError extends SluiceError {
  readonly code = 'SLUICE_HTTP_STATUS';
  readonly [marker] = true;
  readonly url: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly status: number,
    readonly retryAfter?: string,
    url?: string | URL,
    options?: HttpStatusErrorOptions,
  ) {
    const masked = url === undefined ? undefined : maskUrl(url);
    const method = options?.method === undefined ? '' : `${options.method} `;
    super(
      `HTTP ${status}${masked === undefined ? '' : ` from ${method}${masked}`}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.url = masked;
    this.retryAfterMs = parseRetryAfter(retryAfter, options?.receivedAtMs ?? Date.now());
  }
}

export function isHttpStatusError(value: unknown): value is HttpStatusError {
  return typeof value === 'object' && value !== null && marker in value;
}
