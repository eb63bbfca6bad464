/**
 * One request and its response on an undici dispatcher, with the limits undici does not give
 * precisely enough:
 *
 * - Phase timers of our own (undici's tick at about a second): `connect` until the request is
 *   on a socket (a free pooled connection included), `headers` until the status line and
 *   headers, `body` as an idle limit between chunks, paused while the reader applies
 *   backpressure (a slow consumer is not a slow server).
 * - The size limit, checked against a declared Content-Length before any byte is read and
 *   against the bytes counted while streaming, so a server that lies or sends no length is cut
 *   off at the limit, never buffered whole.
 * - Truncation: a body that ends (or whose socket closes) before its declared Content-Length is
 *   a `truncated_body` error, counted here rather than left to the socket's error text.
 *
 * The body comes with the headers: for `stream`, a Readable whose reading drives the flow (pause
 * and resume on the dispatch controller) and whose destruction aborts the request; otherwise
 * the chunks are collected as they come, with no stream in between (a Readable per response
 * was a measurable part of a small request's cost).
 */
import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { AbortedError, HttpRequestError, HttpTimeoutError, TimeoutError } from '../errors/index.js';

export interface ExchangeLimits {
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly maxResponseBytes: number;
}

/**
 * The attempt's own deadline, when the client enforces it instead of a timeout policy's signal
 * (cheaper: a timer, not an AbortController per attempt). `atMs` is on performance.now.
 */
export interface ExchangeDeadline {
  readonly atMs: number;
  readonly timeoutMs: number;
  /** False for a streamed body, which outlives its attempt: the deadline ends at the headers. */
  readonly coversBody: boolean;
}

/** A response body, however it is delivered. */
export interface ResponseBody {
  /** The whole body (rejects with the exchange's failure). */
  buffer(): Promise<Buffer>;
  /** The body as a stream: only when the exchange was asked to stream. */
  readonly stream: Readable | undefined;
  /** Lets the rest arrive and drops it, so the connection can be reused. */
  discard(): void;
}

export interface ExchangeHead {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: ResponseBody;
}

type Phase = 'connect' | 'headers' | 'body' | 'done';

/** Sends one request; resolves with the status, headers and a streaming body. */
export function exchange(
  dispatcher: Dispatcher,
  request: Dispatcher.DispatchOptions,
  url: URL,
  limits: ExchangeLimits,
  signals: readonly (AbortSignal | undefined)[],
  deadline: ExchangeDeadline | undefined,
  streaming: boolean,
): Promise<ExchangeHead> {
  return new Promise<ExchangeHead>((resolve, reject) => {
    const handler = new Exchange(
      url,
      request.method,
      limits,
      signals,
      deadline,
      streaming,
      resolve,
      reject,
    );
    if (handler.settled) return;
    try {
      dispatcher.dispatch(request, handler);
    } catch (error) {
      handler.fail(networkError(error, url, request.method));
    }
  });
}

class Exchange implements Dispatcher.DispatchHandler {
  settled = false;
  #phase: Phase = 'connect';
  #timer: NodeJS.Timeout | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #failure: Error | undefined;
  #body: BodyStream | undefined;
  #collected: CollectedBody | undefined;
  #timerMs = 0;
  #received = 0;
  #declared: number | undefined;
  #paused = false;
  #deadlineTimer: NodeJS.Timeout | undefined;
  readonly #signals: readonly AbortSignal[];

  constructor(
    readonly url: URL,
    readonly method: string,
    readonly limits: ExchangeLimits,
    signals: readonly (AbortSignal | undefined)[],
    readonly deadline: ExchangeDeadline | undefined,
    readonly streaming: boolean,
    readonly resolve: (head: ExchangeHead) => void,
    readonly reject: (error: Error) => void,
  ) {
    this.#signals = signals.filter((s): s is AbortSignal => s !== undefined);
    for (const signal of this.#signals) {
      if (signal.aborted) {
        this.fail(abortReason(signal));
        return;
      }
    }
    if (deadline !== undefined) {
      const left = deadline.atMs - performance.now();
      if (left <= 0) {
        this.fail(new TimeoutError(deadline.timeoutMs));
        return;
      }
      this.#deadlineTimer = setTimeout(this.#onDeadline, left);
    }
    for (const signal of this.#signals) signal.addEventListener('abort', this.#onAbort);
    this.#arm(limits.connectTimeoutMs);
  }

  readonly #onDeadline = (): void => {
    this.#deadlineTimer = undefined;
    this.fail(new TimeoutError(this.deadline!.timeoutMs));
  };

  #clearDeadline(): void {
    if (this.#deadlineTimer !== undefined) {
      clearTimeout(this.#deadlineTimer);
      this.#deadlineTimer = undefined;
    }
  }

  readonly #onAbort = (event: Event): void => {
    this.fail(abortReason(event.target as AbortSignal));
  };

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    const phase = this.#phase;
    if (phase === 'done') return;
    const ms =
      phase === 'connect'
        ? this.limits.connectTimeoutMs
        : phase === 'headers'
          ? this.limits.headersTimeoutMs
          : this.limits.bodyTimeoutMs;
    this.fail(new HttpTimeoutError(phase, ms, this.url, this.method));
  };

  #arm(ms: number): void {
    if (this.#timer !== undefined) {
      // The same limit again (the body's, chunk after chunk): restart the timer in place.
      if (ms === this.#timerMs) {
        this.#timer.refresh();
        return;
      }
      clearTimeout(this.#timer);
    }
    this.#timerMs = ms;
    this.#timer = setTimeout(this.#onTimer, ms);
  }

  #disarm(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #finish(): void {
    this.#phase = 'done';
    this.#disarm();
    this.#clearDeadline();
    for (const signal of this.#signals) signal.removeEventListener('abort', this.#onAbort);
  }

  /** Ends the exchange with `error`: rejects the head, or errors the body if it was handed out. */
  fail(error: Error): void {
    if (this.#phase === 'done') return;
    this.#finish();
    this.#failure = error;
    this.#controller?.abort(error);
    if (!this.settled) {
      this.settled = true;
      this.reject(error);
    } else {
      this.#body?.destroy(error);
      this.#collected?.fail(error);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#failure !== undefined) {
      controller.abort(this.#failure);
      return;
    }
    this.#phase = 'headers';
    this.#arm(this.limits.headersTimeoutMs);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (this.#phase === 'done' || status < 200) return; // 1xx: the real answer follows
    this.#controller = controller;
    const length = headers['content-length'];
    const declared =
      typeof length === 'string' && /^\d+$/.test(length) ? Number(length) : undefined;
    const hasBody = this.method !== 'HEAD' && status !== 204 && status !== 304;
    this.#declared = hasBody ? declared : undefined;
    if (this.#declared !== undefined && this.#declared > this.limits.maxResponseBytes) {
      this.fail(
        new HttpRequestError(
          'body_too_large',
          `Content-Length ${this.#declared} is over the limit of ${this.limits.maxResponseBytes} bytes`,
          this.url,
          this.method,
        ),
      );
      return;
    }
    this.#phase = 'body';
    if (this.deadline !== undefined && !this.deadline.coversBody) this.#clearDeadline();
    this.#arm(this.limits.bodyTimeoutMs);
    this.settled = true;
    if (this.streaming) {
      const stream = (this.#body = new BodyStream(this));
      this.resolve({ status, headers, body: streamBody(stream) });
    } else {
      this.#collected = new CollectedBody();
      this.resolve({ status, headers, body: this.#collected });
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#phase !== 'body') return;
    this.#received += chunk.length;
    if (this.#received > this.limits.maxResponseBytes) {
      this.fail(
        new HttpRequestError(
          'body_too_large',
          `body passed the limit of ${this.limits.maxResponseBytes} bytes while streaming`,
          this.url,
          this.method,
        ),
      );
      return;
    }
    if (this.#collected !== undefined) {
      this.#collected.add(chunk);
      this.#arm(this.limits.bodyTimeoutMs);
    } else if (this.#body!.push(chunk)) {
      this.#arm(this.limits.bodyTimeoutMs);
    } else {
      // Backpressure: stop the socket and the idle timer until the reader asks for more.
      this.#paused = true;
      this.#disarm();
      this.#controller?.pause();
    }
  }

  onResponseEnd(): void {
    if (this.#phase !== 'body') return;
    if (this.#declared !== undefined && this.#received < this.#declared) {
      this.fail(this.#truncated());
      return;
    }
    this.#finish();
    if (this.#collected !== undefined) this.#collected.end();
    else this.#body!.push(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#phase === 'done') return;
    if (this.#phase === 'body' && this.#declared !== undefined && this.#received < this.#declared) {
      this.fail(this.#truncated(error));
      return;
    }
    this.fail(networkError(error, this.url, this.method));
  }

  /** The reader wants more. */
  resumed(): void {
    if (!this.#paused || this.#phase !== 'body') return;
    this.#paused = false;
    this.#arm(this.limits.bodyTimeoutMs);
    this.#controller?.resume();
  }

  /** The reader destroyed the body before its end: stop the request. */
  discarded(error: Error | null): void {
    if (this.#phase === 'done') return;
    this.#finish();
    this.#failure = error ?? new AbortedError('response body discarded');
    this.#controller?.abort(this.#failure);
  }

  #truncated(cause?: Error): HttpRequestError {
    return new HttpRequestError(
      'truncated_body',
      `body ended after ${this.#received} of the ${this.#declared} bytes its Content-Length declared`,
      this.url,
      this.method,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** The chunks of a body nobody streams, joined at its end. */
class CollectedBody implements ResponseBody {
  readonly stream = undefined;
  #chunks: Buffer[] = [];
  #length = 0;
  #dropped = false;
  #result: Buffer | undefined;
  #error: Error | undefined;
  #waiter: { resolve: (body: Buffer) => void; reject: (error: Error) => void } | undefined;

  add(chunk: Buffer): void {
    if (this.#dropped) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  end(): void {
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#result = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#length);
    this.#waiter?.resolve(this.#result);
  }

  fail(error: Error): void {
    this.#chunks = [];
    this.#error = error;
    this.#waiter?.reject(error);
  }

  buffer(): Promise<Buffer> {
    if (this.#result !== undefined) return Promise.resolve(this.#result);
    if (this.#error !== undefined) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
  }

  discard(): void {
    this.#dropped = true;
    this.#chunks = [];
  }
}

function streamBody(stream: BodyStream): ResponseBody {
  return {
    stream,
    buffer: () => readStream(stream),
    discard: () => {
      stream.resume();
    },
  };
}

/** Reads a whole stream; the exchange has already enforced the limits on it. */
function readStream(body: Readable): Promise<Buffer> {
  if (body.errored) return Promise.reject(body.errored);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
    });
    body.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)),
    );
    body.once('error', reject);
  });
}

class BodyStream extends Readable {
  readonly #exchange: Exchange;

  constructor(exchange: Exchange) {
    super({ highWaterMark: 64 * 1024 });
    this.#exchange = exchange;
    // The exchange may fail the body before its reader attaches (data arrives in the same tick
    // as the headers): the reader finds the error in `errored`, never as an uncaught event.
    this.on('error', noop);
  }

  override _read(): void {
    this.#exchange.resumed();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#exchange.discarded(error);
    callback(error);
  }
}

function noop(): void {}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new AbortedError(reason);
}

function networkError(error: unknown, url: URL, method: string): HttpRequestError {
  const message = error instanceof Error ? error.message || error.name : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return new HttpRequestError(
    'network',
    typeof code === 'string' ? `${message} (${code})` : message,
    url,
    method,
    { cause: error },
  );
}
