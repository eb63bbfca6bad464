/**
 * Test support: the smallest OpenTelemetry "SDK" that lets us assert on spans without depending
 * on @opentelemetry/sdk-trace-base (not installed; src/ may use only the API). An in-memory
 * tracer recording finished spans, and an AsyncLocalStorage context manager so that
 * `context.with` and `context.active()` work as they do under a real SDK.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import {
  ROOT_CONTEXT,
  TraceFlags,
  context as contextApi,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type ContextManager,
  type Exception,
  type Link,
  type Span,
  type SpanAttributeValue,
  type SpanContext,
  type SpanKind,
  type SpanOptions,
  type SpanStatus,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

export class RecordedSpan implements Span {
  readonly attributes: Record<string, SpanAttributeValue> = {};
  readonly links: Link[];
  readonly events: { name: string }[] = [];
  readonly exceptions: Exception[] = [];
  status: SpanStatus = { code: 0 };
  ended = false;

  constructor(
    public name: string,
    readonly kind: SpanKind | undefined,
    readonly context: SpanContext,
    readonly parentSpanId: string | undefined,
    options: SpanOptions,
    private readonly onEnd: (span: RecordedSpan) => void,
  ) {
    this.links = [...(options.links ?? [])];
    this.setAttributes(options.attributes ?? {});
  }

  spanContext(): SpanContext {
    return this.context;
  }
  setAttribute(key: string, value: SpanAttributeValue): this {
    this.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    for (const [k, v] of Object.entries(attributes)) if (v !== undefined) this.attributes[k] = v;
    return this;
  }
  addEvent(name: string): this {
    this.events.push({ name });
    return this;
  }
  addLink(link: Link): this {
    this.links.push(link);
    return this;
  }
  addLinks(links: Link[]): this {
    this.links.push(...links);
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.status = status;
    return this;
  }
  updateName(name: string): this {
    this.name = name;
    return this;
  }
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(this);
  }
  isRecording(): boolean {
    return !this.ended;
  }
  recordException(exception: Exception): void {
    this.exceptions.push(exception);
  }
}

export class InMemoryTracer implements Tracer, TracerProvider {
  readonly finished: RecordedSpan[] = [];

  getTracer(): Tracer {
    return this;
  }

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = contextApi.active()): Span {
    const parent = options.root ? undefined : trace.getSpanContext(ctx);
    const valid = parent !== undefined && isSpanContextValid(parent);
    const spanContext: SpanContext = {
      traceId: valid ? parent.traceId : randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      traceFlags: TraceFlags.SAMPLED,
      ...(valid && parent.traceState ? { traceState: parent.traceState } : {}),
    };
    return new RecordedSpan(
      name,
      options.kind,
      spanContext,
      valid ? parent.spanId : undefined,
      options,
      (s) => this.finished.push(s),
    );
  }

  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...args: unknown[]
  ): ReturnType<F> {
    const fn = args.at(-1) as (span: Span) => ReturnType<F>;
    const options = (args.length > 1 ? args[0] : {}) as SpanOptions;
    const ctx = (args.length > 2 ? args[1] : contextApi.active()) as Context;
    const span = this.startSpan(name, options, ctx);
    return contextApi.with(trace.setSpan(ctx, span), fn, undefined, span);
  }

  byName(name: string): RecordedSpan {
    const span = this.finished.find((s) => s.name === name);
    if (span === undefined) throw new Error(`no finished span named ${name}`);
    return span;
  }
}

export class AsyncLocalStorageContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(context, () => fn.call(thisArg, ...args));
  }
  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const fn = target as (...args: unknown[]) => unknown;
    return ((...args: unknown[]) => this.with(context, () => fn(...args))) as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

/** Installs the ALS context manager globally; returns a function that uninstalls it. */
export function installContextManager(): () => void {
  const manager = new AsyncLocalStorageContextManager();
  contextApi.setGlobalContextManager(manager);
  return () => contextApi.disable();
}
