/**
 * Why: spans for what Sluice does, through @opentelemetry/api only, so the application picks the
 * SDK and exporter (OTLP, Jaeger) or none (then every call here is a no-op). Messaging semantics:
 *
 * - PRODUCER `send <stage>` per enqueue (one per batch): its context is serialised into the
 *   string stored with each item (trace-context.ts). When an item moves on to the next stage, the
 *   engine starts the enqueue span under the current CONSUMER span, so stages chain in one trace.
 * - CONSUMER `process <stage>` per item-stage attempt, from the stored string, so a trace
 *   continues across restarts and workers.
 * - CLIENT `call <service>` per external call attempt, under the active (consumer) span.
 *
 * Link rule: the first attempt of an item picked up within `linkAfterMs` (default 5 min) of its
 * enqueue is a CHILD of the enqueue context. A retry (attempt > 1), or a first attempt that
 * waited longer, starts a new trace that LINKS to the enqueue context (link attribute
 * `sluice.link.reason` = retry | delayed), because a parent that ended hours ago makes a trace
 * that spans hours and collects every attempt; the link still leads from one to the other.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context as contextApi,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
import { describeValue } from '../errors/index.js';
import * as sc from './semconv.js';
import { deserializeTraceContext, serializeTraceContext } from './trace-context.js';
import { W3CTraceparentPropagator } from './traceparent-propagator.js';

export interface TracingOptions {
  /** Default: `trace.getTracer('sluice')` from the global provider (a no-op until one is set). */
  readonly tracer?: Tracer;
  /** How the item's trace context is stored, default W3C traceparent. */
  readonly propagator?: TextMapPropagator;
  /** A first attempt started later than this after enqueue links instead of parenting. */
  readonly linkAfterMs?: number;
  /** Wall clock in ms, default Date.now. */
  readonly now?: () => number;
}

/** A started span and the context to run its work in (`context.with(handle.context, fn)`). */
export interface SpanHandle {
  readonly span: Span;
  readonly context: Context;
}

export interface ItemSpanInput {
  readonly pipeline: string;
  readonly stage: string;
  readonly itemId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly runId?: string;
  readonly correlationId?: string;
  /** The string stored with the item at enqueue, if any. */
  readonly traceContext?: string | null;
  /** When the item was enqueued (ms), for the link rule and the queue-age attribute. */
  readonly enqueuedAtMs?: number;
}

export interface CallSpanInput {
  readonly service: string;
  readonly attempt?: number;
  /** Host or address called: an attribute of the span (never a metric label). */
  readonly host?: string;
  /** Span name prefix, default `call`. */
  readonly operation?: string;
  /** Default: the active context. */
  readonly parent?: Context;
}

export interface EnqueueSpanInput {
  readonly pipeline: string;
  readonly stage: string;
  readonly itemId?: string;
  /** Items enqueued by this one operation, when a batch. */
  readonly count?: number;
  readonly runId?: string;
  readonly correlationId?: string;
  /** Default: the active context. */
  readonly parent?: Context;
}

export interface SpanResult {
  readonly error?: unknown;
  /** `error.type`: a failure category or error code; default the error's name. */
  readonly errorType?: string;
  /** `sluice.outcome`, e.g. completed, retry, dead. */
  readonly outcome?: string;
}

export type ItemSpanRelation = 'root' | 'parent' | 'retry' | 'delayed';

/** The link rule: how an item span relates to its stored enqueue context. */
export function itemSpanRelation(input: {
  readonly hasStoredContext: boolean;
  readonly attempt: number;
  readonly queuedMs?: number;
  readonly linkAfterMs: number;
}): ItemSpanRelation {
  if (!input.hasStoredContext) return 'root';
  if (input.attempt > 1) return 'retry';
  if (input.queuedMs !== undefined && input.queuedMs > input.linkAfterMs) return 'delayed';
  return 'parent';
}

export interface SluiceTracing {
  readonly tracer: Tracer;
  startItemSpan(input: ItemSpanInput): SpanHandle & { readonly relation: ItemSpanRelation };
  startCallSpan(input: CallSpanInput): SpanHandle;
  /** Also returns the string to store with the enqueued item(s). */
  startEnqueueSpan(input: EnqueueSpanInput): SpanHandle & { readonly traceContext: string | null };
  /** Records the error (if any) and the outcome, sets the status, ends the span. */
  finish(span: Span, result?: SpanResult): void;
  /** Runs `fn` in the span's context and finishes the span with its result or error. */
  run<T>(handle: SpanHandle, fn: (span: Span) => Promise<T> | T): Promise<T>;
  /** Runs `fn` in the span's context only; the caller finishes the span (with its outcome). */
  within<T>(handle: SpanHandle, fn: () => Promise<T> | T): Promise<T>;
  /**
   * False while no OpenTelemetry SDK is registered (the API's tracer hands out invalid,
   * non-recording spans), so hot paths can skip span work entirely. Re-checked at most once a
   * second, so an SDK registered later is picked up.
   */
  enabled(): boolean;
  /** The stored form of a context (for items enqueued without a producer span). */
  serialize(context: Context): string | null;
}

export function createTracing(options: TracingOptions = {}): SluiceTracing {
  // Fetched again when an SDK shows up (enabled()): the API ships an ES module and a CommonJS
  // build, and an SDK loaded through the other one registers its provider globally without
  // reaching the proxy tracer fetched from ours before that, which would stay a no-op.
  let tracer = options.tracer ?? trace.getTracer('sluice');
  const propagator = options.propagator ?? new W3CTraceparentPropagator();
  const linkAfterMs = options.linkAfterMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;

  let checkedAt = Number.NEGATIVE_INFINITY;
  let active = true;

  const handle = (span: Span, parent: Context): SpanHandle => ({
    span,
    context: trace.setSpan(parent, span),
  });

  const finish = (span: Span, result: SpanResult = {}): void => {
    if (result.outcome !== undefined) span.setAttribute(sc.ATTR_SLUICE_OUTCOME, result.outcome);
    if (result.error !== undefined) {
      const error = result.error;
      const isError = error instanceof Error;
      span.recordException(isError ? error : describe(error));
      span.setAttribute(sc.ATTR_ERROR_TYPE, result.errorType ?? (isError ? error.name : '_OTHER'));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: isError ? error.message : describe(error),
      });
    }
    span.end();
  };

  return {
    tracer,
    finish,
    serialize: (context) => serializeTraceContext(context, propagator),

    startItemSpan(input) {
      const stored = deserializeTraceContext(input.traceContext, ROOT_CONTEXT, propagator);
      const queuedMs = input.enqueuedAtMs === undefined ? undefined : now() - input.enqueuedAtMs;
      const relation = itemSpanRelation({
        hasStoredContext: stored !== undefined,
        attempt: input.attempt,
        linkAfterMs,
        ...(queuedMs === undefined ? {} : { queuedMs }),
      });
      const attributes: Attributes = {
        [sc.ATTR_MESSAGING_SYSTEM]: sc.MESSAGING_SYSTEM_SLUICE,
        [sc.ATTR_MESSAGING_OPERATION_TYPE]: sc.MESSAGING_OPERATION_TYPE.process,
        [sc.ATTR_MESSAGING_OPERATION_NAME]: 'process',
        [sc.ATTR_MESSAGING_DESTINATION_NAME]: input.stage,
        [sc.ATTR_MESSAGING_CONSUMER_GROUP_NAME]: input.pipeline,
        [sc.ATTR_MESSAGING_MESSAGE_ID]: input.itemId,
        [sc.ATTR_SLUICE_PIPELINE]: input.pipeline,
        [sc.ATTR_SLUICE_ATTEMPT]: input.attempt,
      };
      if (input.runId !== undefined) attributes[sc.ATTR_SLUICE_RUN_ID] = input.runId;
      if (input.correlationId !== undefined) {
        attributes[sc.ATTR_MESSAGING_MESSAGE_CONVERSATION_ID] = input.correlationId;
      }
      if (queuedMs !== undefined) attributes[sc.ATTR_SLUICE_QUEUE_AGE_MS] = queuedMs;
      const links: Link[] = [];
      const storedSpan = stored === undefined ? undefined : trace.getSpanContext(stored);
      if ((relation === 'retry' || relation === 'delayed') && storedSpan !== undefined) {
        links.push({ context: storedSpan, attributes: { [sc.ATTR_SLUICE_LINK_REASON]: relation } });
        attributes[sc.ATTR_SLUICE_LINK_REASON] = relation;
      }
      const parent = relation === 'parent' && stored !== undefined ? stored : ROOT_CONTEXT;
      const span = tracer.startSpan(
        `process ${input.stage}`,
        { kind: SpanKind.CONSUMER, attributes, links, root: parent === ROOT_CONTEXT },
        parent,
      );
      return { ...handle(span, parent), relation };
    },

    startCallSpan(input) {
      const parent = input.parent ?? contextApi.active();
      const attributes: Attributes = {
        [sc.ATTR_SLUICE_SERVICE]: input.service,
        [sc.ATTR_PEER_SERVICE]: input.service,
      };
      if (input.attempt !== undefined) attributes[sc.ATTR_SLUICE_ATTEMPT] = input.attempt;
      if (input.host !== undefined) attributes[sc.ATTR_SERVER_ADDRESS] = input.host;
      const name = `${input.operation ?? 'call'} ${input.service}`;
      const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
      return handle(span, parent);
    },

    startEnqueueSpan(input) {
      const parent = input.parent ?? contextApi.active();
      const attributes: Attributes = {
        [sc.ATTR_MESSAGING_SYSTEM]: sc.MESSAGING_SYSTEM_SLUICE,
        [sc.ATTR_MESSAGING_OPERATION_TYPE]: sc.MESSAGING_OPERATION_TYPE.send,
        [sc.ATTR_MESSAGING_OPERATION_NAME]: 'send',
        [sc.ATTR_MESSAGING_DESTINATION_NAME]: input.stage,
        [sc.ATTR_SLUICE_PIPELINE]: input.pipeline,
      };
      if (input.itemId !== undefined) attributes[sc.ATTR_MESSAGING_MESSAGE_ID] = input.itemId;
      if (input.count !== undefined)
        attributes[sc.ATTR_MESSAGING_BATCH_MESSAGE_COUNT] = input.count;
      if (input.runId !== undefined) attributes[sc.ATTR_SLUICE_RUN_ID] = input.runId;
      if (input.correlationId !== undefined) {
        attributes[sc.ATTR_MESSAGING_MESSAGE_CONVERSATION_ID] = input.correlationId;
      }
      const span = tracer.startSpan(
        `send ${input.stage}`,
        { kind: SpanKind.PRODUCER, attributes },
        parent,
      );
      const h = handle(span, parent);
      return { ...h, traceContext: serializeTraceContext(h.context, propagator) };
    },

    within(h, fn) {
      return Promise.resolve(contextApi.with(h.context, fn));
    },

    enabled() {
      if (options.tracer) return true;
      const at = now();
      if (at - checkedAt >= 1000) {
        checkedAt = at;
        const was = active;
        active = sdkRegistered();
        if (active && !was) tracer = trace.getTracer('sluice');
      }
      return active;
    },

    async run(h, fn) {
      let value;
      try {
        value = await contextApi.with(h.context, fn, undefined, h.span);
      } catch (error) {
        finish(h.span, { error });
        throw error;
      }
      finish(h.span);
      return value;
    },
  };
}

/**
 * Whether an SDK is behind the global tracer provider. The API's provider is a proxy that
 * delegates to a no-op provider until an SDK registers; we look at the delegate's class name
 * because the no-op class is not exported. Duck-typed, not `instanceof`: the registered proxy
 * may be the other build's class (see `tracer` above).
 */
function sdkRegistered(): boolean {
  const provider = trace.getTracerProvider() as { getDelegate?: unknown };
  if (typeof provider.getDelegate !== 'function') return true;
  const delegate = (provider.getDelegate as () => object).call(provider);
  return delegate.constructor.name !== 'NoopTracerProvider';
}

const describe = (value: unknown): string =>
  typeof value === 'string' ? value : describeValue(value);
