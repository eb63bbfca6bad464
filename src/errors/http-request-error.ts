import type { FailureCategory } from './failure-category.js';
import { maskUrl } from './mask-url.js';
import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.http-request');

/**
 * Why an HTTP request failed without a status to blame (HttpStatusError covers those), and what
 * that means for a retry:
 * - network: the connection failed or was reset (recoverable);
 * - truncated_body: the body ended before its Content-Length (recoverable: the next try may
 *   get it whole);
 * - invalid_url, unsupported_scheme: the URL cannot be requested (non_recoverable);
 * - redirect_loop, too_many_redirects: the redirect chain does not end (non_recoverable);
 * - body_too_large: the body is over the size limit, declared or counted (non_recoverable);
 * - content_type_mismatch: not the expected media type (non_recoverable);
 * - invalid_json: the body is not JSON (non_recoverable).
 */
export type HttpRequestReason =
  | 'network'
  | 'truncated_body'
  | 'invalid_url'
  | 'unsupported_scheme'
  | 'redirect_loop'
  | 'too_many_redirects'
  | 'body_too_large'
  | 'content_type_mismatch'
  | 'invalid_json';

export const httpRequestReasons: readonly HttpRequestReason[] = Object.freeze([
  'network',
  'truncated_body',
  'invalid_url',
  'unsupported_scheme',
  'redirect_loop',
  'too_many_redirects',
  'body_too_large',
  'content_type_mismatch',
  'invalid_json',
]);

const recoverableReasons: ReadonlySet<HttpRequestReason> = new Set(['network', 'truncated_body']);

/** The failure category of each reason (what the classifier answers for the error). */
export function httpRequestCategory(reason: HttpRequestReason): FailureCategory {
  return recoverableReasons.has(reason) ? 'recoverable' : 'non_recoverable';
}

export interface HttpRequestErrorOptions extends ErrorOptions {
  /** The redirect chain that led here (each URL masked), for the redirect reasons. */
  readonly chain?: readonly string[];
}

/**
 * An HTTP request that failed for one of the `reason`s above. The message starts with what
 * happened, then names the URL with its credentials masked: `body_too_large: ... (GET
 * https://user:***@host/x)`. `url` is masked too, since errors are logged and stored whole.
 */
export class HttpRequestError extends SluiceError {
  readonly code = 'SLUICE_HTTP_REQUEST';
  readonly [marker] = true;
  readonly category: FailureCategory;
  readonly url: string;
  readonly chain: readonly string[] | undefined;

  constructor(
    readonly reason: HttpRequestReason,
    detail: string,
    url: string | URL,
    readonly method = 'GET',
    options?: HttpRequestErrorOptions,
  ) {
    const masked = maskUrl(url);
    const chain = options?.chain?.map((link) => maskUrl(link));
    super(
      `${reason}: ${detail} (${method} ${masked})${chain?.length ? `; chain: ${chain.join(' -> ')}` : ''}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.category = httpRequestCategory(reason);
    this.url = masked;
    this.chain = chain === undefined ? undefined : Object.freeze(chain);
  }
}

export function isHttpRequestError(value: unknown): value is HttpRequestError {
  return typeof value === 'object' && value !== null && marker in value;
}
