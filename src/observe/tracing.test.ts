import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryTracer, installContextManager } from '../../test/support/in-memory-otel.js';
import { createTracing, itemSpanRelation } from './tracing.js';

let uninstall: () => void;
beforeAll(() => {
  uninstall = installContextManager();
});
afterAll(() => uninstall());

const item = { pipeline: 'news', stage: 'download', itemId: 'item-7', runId: 'run-1' };

function setup(now = 1_000_000) {
  const tracer = new InMemoryTracer();
  let clock = now;
  const tracing = createTracing({ tracer, now: () => clock, linkAfterMs: 60_000 });
  return { tracer, tracing, advance: (ms: number) => (clock += ms), clock: () => clock };
}

describe('createTracing', () => {
  it('starts a PRODUCER span per enqueue with messaging attributes and returns the string to store', () => {
    const { tracer, tracing } = setup();
    const enq = tracing.startEnqueueSpan({ ...item, correlationId: 'c-1' });
    tracing.finish(enq.span);
    const span = tracer.byName('send download');
    expect(span.kind).toBe(SpanKind.PRODUCER);
    expect(span.attributes).toMatchObject({
      'messaging.system': 'sluice',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'download',
      'messaging.message.id': 'item-7',
      'messaging.message.conversation_id': 'c-1',
      'sluice.pipeline': 'news',
      'sluice.run_id': 'run-1',
    });
    expect(enq.traceContext).toBe(`00-${span.context.traceId}-${span.context.spanId}-01`);
  });

  it('parents the first prompt attempt on the enqueue context, even in another tracer (a restart)', () => {
    const first = setup();
    const enq = first.tracing.startEnqueueSpan(item);
    first.tracing.finish(enq.span);
    const producer = first.tracer.byName('send download');

    const second = setup(); // a new process: nothing shared but the stored string
    const handle = second.tracing.startItemSpan({
      ...item,
      attempt: 1,
      traceContext: enq.traceContext,
      enqueuedAtMs: second.clock() - 5_000,
    });
    second.tracing.finish(handle.span, { outcome: 'completed' });
    const consumer = second.tracer.byName('process download');
    expect(handle.relation).toBe('parent');
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.context.traceId).toBe(producer.context.traceId);
    expect(consumer.parentSpanId).toBe(producer.context.spanId);
    expect(consumer.links).toEqual([]);
    expect(consumer.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'download',
      'messaging.consumer.group.name': 'news',
      'messaging.message.id': 'item-7',
      'sluice.attempt': 1,
      'sluice.queue.age_ms': 5_000,
      'sluice.outcome': 'completed',
    });
  });

  it('links a retry to the enqueue context in a new trace instead of parenting', () => {
    const { tracer, tracing } = setup();
    const enq = tracing.startEnqueueSpan(item);
    tracing.finish(enq.span);
    const handle = tracing.startItemSpan({ ...item, attempt: 2, traceContext: enq.traceContext });
    tracing.finish(handle.span);
    const producer = tracer.byName('send download');
    const consumer = tracer.byName('process download');
    expect(handle.relation).toBe('retry');
    expect(consumer.parentSpanId).toBeUndefined();
    expect(consumer.context.traceId).not.toBe(producer.context.traceId);
    expect(consumer.links).toHaveLength(1);
    expect(consumer.links[0]!.context.spanId).toBe(producer.context.spanId);
    expect(consumer.links[0]!.attributes).toEqual({ 'sluice.link.reason': 'retry' });
  });

  it('links a first attempt that waited longer than linkAfterMs', () => {
    const { tracer, tracing, advance } = setup();
    const enq = tracing.startEnqueueSpan(item);
    tracing.finish(enq.span);
    const enqueuedAtMs = advance(0);
    advance(60_001);
    const handle = tracing.startItemSpan({
      ...item,
      attempt: 1,
      traceContext: enq.traceContext,
      enqueuedAtMs,
    });
    tracing.finish(handle.span);
    expect(handle.relation).toBe('delayed');
    expect(tracer.byName('process download').links).toHaveLength(1);
  });

  it('starts a root span when nothing was stored', () => {
    const { tracer, tracing } = setup();
    const outer = tracer.startSpan('outer');
    const handle = context.with(trace.setSpan(context.active(), outer), () =>
      tracing.startItemSpan({ ...item, attempt: 1, traceContext: null }),
    );
    tracing.finish(handle.span);
    expect(handle.relation).toBe('root');
    expect(tracer.byName('process download').parentSpanId).toBeUndefined();
  });

  it('runs work in the item span so CLIENT call spans nest under it', async () => {
    const { tracer, tracing } = setup();
    const handle = tracing.startItemSpan({ ...item, attempt: 1 });
    await tracing.run(handle, async () => {
      const call = tracing.startCallSpan({ service: 'images', attempt: 2, host: 'cdn.example' });
      await tracing.run(call, () => Promise.resolve('ok'));
    });
    const consumer = tracer.byName('process download');
    const client = tracer.byName('call images');
    expect(client.kind).toBe(SpanKind.CLIENT);
    expect(client.parentSpanId).toBe(consumer.context.spanId);
    expect(client.context.traceId).toBe(consumer.context.traceId);
    expect(client.attributes).toMatchObject({
      'sluice.service': 'images',
      'peer.service': 'images',
      'sluice.attempt': 2,
      'server.address': 'cdn.example',
    });
  });

  it('chains stages: an enqueue under a consumer span stores that trace for the next stage', () => {
    const { tracer, tracing } = setup();
    const handle = tracing.startItemSpan({ ...item, attempt: 1 });
    const next = context.with(handle.context, () =>
      tracing.startEnqueueSpan({ ...item, stage: 'cache' }),
    );
    tracing.finish(next.span);
    tracing.finish(handle.span);
    expect(next.traceContext).toContain(tracer.byName('process download').context.traceId);
  });

  it('records an error, its type and an ERROR status, then rethrows', async () => {
    const { tracer, tracing } = setup();
    const call = tracing.startCallSpan({ service: 'llm' });
    await expect(tracing.run(call, () => Promise.reject(new TypeError('boom')))).rejects.toThrow(
      'boom',
    );
    const span = tracer.byName('call llm');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.exceptions).toHaveLength(1);
    const other = tracing.startCallSpan({ service: 'x' });
    tracing.finish(other.span, { error: 'plain', errorType: 'rate_limited' });
    expect(tracer.byName('call x').attributes['error.type']).toBe('rate_limited');
  });

  it('is a no-op without an SDK: nothing is stored and work still runs', async () => {
    const tracing = createTracing();
    const enq = tracing.startEnqueueSpan(item);
    expect(enq.traceContext).toBeNull();
    const handle = tracing.startItemSpan({ ...item, attempt: 1, traceContext: enq.traceContext });
    await expect(tracing.run(handle, () => 42)).resolves.toBe(42);
  });
});

describe('itemSpanRelation', () => {
  it.each([
    [{ hasStoredContext: false, attempt: 3 }, 'root'],
    [{ hasStoredContext: true, attempt: 1 }, 'parent'],
    [{ hasStoredContext: true, attempt: 1, queuedMs: 1_000 }, 'parent'],
    [{ hasStoredContext: true, attempt: 1, queuedMs: 1_001 }, 'delayed'],
    [{ hasStoredContext: true, attempt: 2, queuedMs: 0 }, 'retry'],
  ] as const)('%o -> %s', (input, expected) => {
    expect(itemSpanRelation({ ...input, linkAfterMs: 1_000 })).toBe(expected);
  });
});

describe('tracing.enabled', () => {
  it('is off while no SDK is registered, on once one is (re-checked each second)', () => {
    let now = 0;
    const tracing = createTracing({ now: () => now });
    expect(tracing.enabled()).toBe(false);
    trace.setGlobalTracerProvider(new InMemoryTracer());
    try {
      now = 500;
      expect(tracing.enabled()).toBe(false);
      now = 1000;
      expect(tracing.enabled()).toBe(true);
    } finally {
      trace.disable();
    }
    expect(createTracing({ tracer: new InMemoryTracer() }).enabled()).toBe(true);
  });
});
