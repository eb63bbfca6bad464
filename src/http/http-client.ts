/**
 * The resilient HTTP client: requests on a pooled undici dispatcher (one Agent per service,
 * `connections` per origin), each attempt run under the caller's policies keyed by the URL's
 * host, so a breaker or limiter per host keeps one dead host from shutting out the others.
 *
 * One attempt = one request and its redirects (each hop on the same pool), statuses turned
 * into errors the classifier knows (HttpStatusError with Retry-After read when the response
 * came; HttpRequestError by reason; HttpTimeoutError by phase), the content type checked, and,
 * for `get`/`post`/`json`, the whole body read inside the attempt, so a truncated body is
 * retried like any recoverable failure. `stream` returns at the headers: its body is read by
 * the caller, outside the retry, with the size and idle limits still enforced while it flows.
 *
 * Each attempt sends `traceparent` from the active OpenTelemetry context, and with tracing on
 * it is a CLIENT span of its own (`GET <service>`, host and status as attributes).
 */
import type { Buffer } from 'node:buffer';
import { setMaxListeners } from 'node:events';
import type { Readable } from 'node:stream';
import { context as otel, defaultTextMapSetter, type Context } from '@opentelemetry/api';
import type { Dispatcher } from 'undici';
import { HttpRequestError, HttpStatusError, maskUrl } from '../errors/index.js';
import { W3CTraceparentPropagator, type SluiceTracing } from '../observe/index.js';
import { neverAbortedSignal, type ExecuteContext, type Policy } from '../policies/index.js';
import { createHttpAgent } from './agent.js';
import { mediaType, mediaTypeMatches } from './content-type.js';
import { exchange, type ExchangeHead, type ResponseBody } from './exchange.js';
import {
  integerOption,
  resolveHttpOptions,
  type HttpOptions,
  type ResolvedHttpOptions,
} from './options.js';
import { isRedirect, nextHop } from './redirects.js';
import {
  prepareRequest,
  type HttpRequestOptions,
  type PreparedRequest,
} from './request-options.js';
import { parseRequestUrl } from './request-url.js';
import type { BufferResponse, HttpResponse, StreamResponse } from './response.js';

/** Runs one attempt function under the policies of `host`. */
export type HttpExecutor = <T>(
  host: string,
  fn: (context: ExecuteContext) => Promise<T>,
  signal: AbortSignal | undefined,
) => Promise<T>;

export interface HttpClientOptions extends HttpOptions {
  /** Requests go here. Default: an Agent of our own built from the pool options (and closed by close()). */
  readonly dispatcher?: Dispatcher;
  /** Policies per request: one for all hosts, or one per host. Default none. */
  readonly policy?: Policy | ((host: string) => Policy);
  /** Replaces `policy` entirely (the runtime's `ctx.http` runs through the service's caller). */
  readonly execute?: HttpExecutor;
  readonly tracing?: SluiceTracing;
  /** Names spans (`GET <service>`). Default `http`. */
  readonly service?: string;
  /** Wall clock (ms since the epoch) for Retry-After dates. Default Date.now. */
  readonly now?: () => number;
  /** Relative request URLs resolve against this. */
  readonly baseUrl?: string;
  /**
   * A limit on each attempt (ms), enforced by the client's own timer and failing with the
   * policies' TimeoutError. With it, attempts listen to the request's signal only, not to the
   * one their policies hand them: for chains whose only per-attempt abort is that timeout (the
   * runtime sets this for a service with `timeoutMs` and no hedging or total timeout), it spares
   * the timeout policy an AbortController per attempt.
   */
  readonly attemptTimeoutMs?: number;
}

/** What every client bound from one createHttpClient call shares. Internal. */
export interface HttpClientCore {
  readonly options: ResolvedHttpOptions;
  readonly dispatcher: Dispatcher;
  readonly ownsDispatcher: boolean;
  readonly execute: HttpExecutor;
  readonly tracing: SluiceTracing | undefined;
  readonly service: string;
  readonly now: () => number;
  readonly baseUrl: string | undefined;
  readonly attemptTimeoutMs: number | undefined;
}

const propagator = new W3CTraceparentPropagator();
const direct: HttpExecutor = (_host, fn, signal) =>
  fn({ signal: signal ?? neverAbortedSignal, attempt: 1 });
const clientKeys = [
  'dispatcher',
  'policy',
  'execute',
  'tracing',
  'service',
  'now',
  'baseUrl',
  'attemptTimeoutMs',
];

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const httpOnly = Object.fromEntries(
    Object.entries(options).filter(([key]) => !clientKeys.includes(key)),
  );
  const resolved = resolveHttpOptions(httpOnly, 'http');
  const { policy } = options;
  const execute: HttpExecutor =
    options.execute ??
    (policy === undefined
      ? direct
      : typeof policy === 'function'
        ? (host, fn, signal) => policy(host).execute(fn, signal)
        : (_host, fn, signal) => policy.execute(fn, signal));
  return new HttpClient({
    options: resolved,
    dispatcher: options.dispatcher ?? createHttpAgent(resolved),
    ownsDispatcher: options.dispatcher === undefined,
    execute,
    tracing: options.tracing,
    service: options.service ?? 'http',
    now: options.now ?? Date.now,
    baseUrl: options.baseUrl,
    attemptTimeoutMs:
      options.attemptTimeoutMs === undefined
        ? undefined
        : integerOption('http.attemptTimeoutMs', options.attemptTimeoutMs, 0, 1, 2_147_483_647),
  });
}

export class HttpClient {
  readonly #core: HttpClientCore;
  readonly #signal: AbortSignal | undefined;
  /** Requests without options, prepared once per method (the common case, kept cheap). */
  readonly #prepared = new Map<string, PreparedRequest>();

  /** Use createHttpClient (or `ctx.http(service)` in a handler). */
  constructor(core: HttpClientCore, signal?: AbortSignal) {
    this.#core = core;
    this.#signal = signal;
  }

  /**
   * The same client (pool, options) with every request also aborted by `signal`, and run by
   * `execute` instead of the client's own policies when given.
   */
  bind(options: { readonly signal?: AbortSignal; readonly execute?: HttpExecutor }): HttpClient {
    const core =
      options.execute === undefined ? this.#core : { ...this.#core, execute: options.execute };
    return new HttpClient(core, fanOut(options.signal) ?? this.#signal);
  }

  get options(): ResolvedHttpOptions {
    return this.#core.options;
  }

  request(url: string | URL, options?: HttpRequestOptions): Promise<BufferResponse> {
    return this.#send(url, options, 'GET', readBuffer);
  }

  get(url: string | URL, options?: HttpRequestOptions): Promise<BufferResponse> {
    return this.#send(url, options, 'GET', readBuffer);
  }

  post(url: string | URL, options?: HttpRequestOptions): Promise<BufferResponse> {
    return this.#send(url, options, 'POST', readBuffer);
  }

  /** The body parsed as JSON (undefined when empty, e.g. on 304); `accept: application/json`. */
  json<T = unknown>(url: string | URL, options?: HttpRequestOptions): Promise<HttpResponse<T>> {
    const headers = options?.headers;
    const accept =
      headers && Object.keys(headers).some((name) => name.toLowerCase() === 'accept')
        ? options
        : { ...options, headers: { ...headers, accept: 'application/json' } };
    return this.#send(url, accept, 'GET', readJson as BodyReader<T>);
  }

  /** Returns at the headers; the body streams with the size and idle limits enforced. */
  stream(url: string | URL, options?: HttpRequestOptions): Promise<StreamResponse> {
    return this.#send(url, options, 'GET', passStream);
  }

  /** Closes the pool if the client made it (waits for requests in flight). */
  async close(): Promise<void> {
    if (this.#core.ownsDispatcher) await this.#core.dispatcher.close();
  }

  #plain(method: string): PreparedRequest {
    let request = this.#prepared.get(method);
    if (request === undefined) {
      request = prepareRequest(undefined, this.#core.options, method, this.#signal);
      this.#prepared.set(method, request);
    }
    return request;
  }

  async #send<B>(
    input: string | URL,
    options: HttpRequestOptions | undefined,
    defaultMethod: string,
    read: BodyReader<B>,
  ): Promise<HttpResponse<B>> {
    const core = this.#core;
    const request =
      options === undefined
        ? this.#plain(defaultMethod)
        : prepareRequest(options, core.options, defaultMethod, this.#signal);
    const url = parseRequestUrl(input, request.method, core.baseUrl);
    return core.execute(
      url.host,
      (context) => this.#attempt(url, request, context, read),
      request.signal,
    );
  }

  async #attempt<B>(
    url: URL,
    request: PreparedRequest,
    context: ExecuteContext,
    read: BodyReader<B>,
  ): Promise<HttpResponse<B>> {
    const core = this.#core;
    const tracing = core.tracing;
    const span = tracing?.enabled()
      ? tracing.startCallSpan({
          service: core.service,
          host: url.hostname,
          attempt: context.attempt,
          operation: request.method,
        })
      : undefined;
    if (span) {
      span.span.setAttribute('http.request.method', request.method);
      span.span.setAttribute('url.full', maskUrl(url));
      if (url.port !== '') span.span.setAttribute('server.port', Number(url.port));
    }
    try {
      const response = await this.#follow(
        url,
        request,
        context,
        read,
        span?.context ?? otel.active(),
      );
      span?.span.setAttribute('http.response.status_code', response.status);
      if (span) tracing!.finish(span.span, { outcome: 'success' });
      return response;
    } catch (error) {
      if (span) {
        const status = (error as { status?: unknown }).status;
        if (typeof status === 'number') span.span.setAttribute('http.response.status_code', status);
        tracing!.finish(span.span, { error });
      }
      throw error;
    }
  }

  async #follow<B>(
    first: URL,
    request: PreparedRequest,
    context: ExecuteContext,
    read: BodyReader<B>,
    trace: Context,
  ): Promise<HttpResponse<B>> {
    const core = this.#core;
    let url = first;
    let method = request.method;
    let body = request.body;
    const carrier: Record<string, string> = {};
    propagator.inject(trace, carrier, defaultTextMapSetter);
    let headers =
      carrier.traceparent === undefined ? request.headers : { ...request.headers, ...carrier };
    const chain: URL[] = [];
    const streaming = read === passStream;
    const own = core.attemptTimeoutMs;
    const deadline =
      own === undefined
        ? undefined
        : { atMs: performance.now() + own, timeoutMs: own, coversBody: !streaming };
    // The attempt's signal follows the request's while the attempt runs (every policy links the
    // caller's signal); a streamed body outlives the attempt, so it listens to both. With a
    // deadline of our own, the request's signal alone (see attemptTimeoutMs).
    const signals =
      deadline !== undefined
        ? [request.signal]
        : streaming && context.signal !== request.signal
          ? [context.signal, request.signal]
          : [context.signal];
    for (;;) {
      const head = await exchange(
        core.dispatcher,
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: method,
          headers,
          body: body ?? null,
        },
        url,
        request.limits,
        signals,
        deadline,
        streaming,
      );
      const status = head.status;
      const location = single(head.headers.location);
      if (request.redirect === 'follow' && isRedirect(status) && location !== undefined) {
        discard(head);
        const hop = nextHop(status, location, url, method, chain, request.maxRedirects);
        chain.push(url);
        if (!hop.keepBody) {
          body = undefined;
          headers = withoutHeaders(headers, ['content-type', 'content-length']);
        }
        if (!hop.sameOrigin) headers = withoutHeaders(headers, ['authorization', 'cookie']);
        url = hop.url;
        method = hop.method;
        continue;
      }
      if (status >= 400) {
        discard(head);
        throw new HttpStatusError(status, single(head.headers['retry-after']), url, {
          method,
          receivedAtMs: core.now(),
        });
      }
      const contentType = mediaType(head.headers['content-type']);
      const notModified = status === 304;
      const expected = request.expectContentType;
      if (
        expected !== undefined &&
        !notModified &&
        status !== 204 &&
        !mediaTypeMatches(contentType, expected)
      ) {
        discard(head);
        throw new HttpRequestError(
          'content_type_mismatch',
          `Content-Type ${contentType ?? '(none)'} is not ${expected.join(' or ')}`,
          url,
          method,
        );
      }
      const value = await read(head.body, url, method, notModified);
      return {
        status,
        headers: head.headers,
        url: url.href,
        redirects: chain.map((u) => u.href),
        notModified,
        etag: single(head.headers.etag),
        lastModified: single(head.headers['last-modified']),
        contentType,
        body: value,
      };
    }
  }
}

/**
 * A signal of our own following `signal`, with no listener limit: every request of a bound
 * client (often many at once) listens on it, while the caller's signal gets one listener.
 */
function fanOut(signal: AbortSignal | undefined): AbortSignal | undefined {
  if (signal === undefined || signal === neverAbortedSignal) return signal;
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}

type BodyReader<B> = (body: ResponseBody, url: URL, method: string, empty: boolean) => Promise<B>;

const passStream: BodyReader<Readable> = (body) => Promise.resolve(body.stream!);
const readBuffer: BodyReader<Buffer> = (body) => body.buffer();

async function readJson(
  body: ResponseBody,
  url: URL,
  method: string,
  empty: boolean,
): Promise<unknown> {
  const bytes = await body.buffer();
  if (empty || bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    throw new HttpRequestError(
      'invalid_json',
      `body is not JSON (${(error as Error).message})`,
      url,
      method,
      { cause: error },
    );
  }
}

/** Lets a body we do not want drain in the background, so its connection can be reused. */
function discard(head: ExchangeHead): void {
  head.body.discard();
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function withoutHeaders(
  headers: Record<string, string>,
  names: readonly string[],
): Record<string, string> {
  const out = { ...headers };
  for (const name of names) delete out[name];
  return out;
}
