/**
 * http: the resilient HTTP client on undici: pooled connections, per-service policies, per-host
 * breakers, Retry-After, status classification, size and time limits (docs/http.md).
 *
 * May import: errors, policies, observe.
 */
export {
  httpDefaults,
  resolveHttpOptions,
  type HttpOptions,
  type ResolvedHttpOptions,
} from './options.js';
export { createHttpAgent } from './agent.js';
export { parseRequestUrl, supportedSchemes } from './request-url.js';
export { mediaType, mediaTypeMatches } from './content-type.js';
export type { ConditionalRequest, HttpRequestOptions } from './request-options.js';
export type { BufferResponse, HttpResponse, StreamResponse } from './response.js';
export {
  HttpClient,
  createHttpClient,
  type HttpClientCore,
  type HttpClientOptions,
  type HttpExecutor,
} from './http-client.js';
