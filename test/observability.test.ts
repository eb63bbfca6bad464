import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeSqlite } from '../src/testing/vitest/index.js';
import { InMemoryTracer, installContextManager } from './support/in-memory-otel.js';
import { realRun } from './support/real-run.js';

/** Sums the samples of one metric whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

describeSqlite('observability of a real run', (sqlite) => {
  let uninstall: () => void;
  beforeAll(() => {
    uninstall = installContextManager();
  });
  afterAll(() => uninstall());

  it('records item, call, breaker, retry, usage metrics and spans that continue across enqueue', async () => {
    const tracer = new InMemoryTracer();
    const { exposition } = await realRun(sqlite().path, tracer);

    // 8 items at fetch: n0..n3 hit the failing host and die, n4..n7 complete and fan out two each.
    expect(
      sample(exposition, 'sluice_items_processed_total', { stage: 'fetch', outcome: 'completed' }),
    ).toBe(4);
    expect(
      sample(exposition, 'sluice_items_processed_total', { stage: 'fetch', outcome: 'dead' }),
    ).toBe(4);
    expect(
      sample(exposition, 'sluice_items_processed_total', { stage: 'store', outcome: 'completed' }),
    ).toBe(8);
    expect(
      sample(exposition, 'sluice_external_calls_total', { service: 'api', outcome: 'success' }),
    ).toBe(4);
    expect(
      sample(exposition, 'sluice_external_calls_total', {
        service: 'api',
        outcome: 'short_circuited',
      }),
    ).toBeGreaterThan(0);
    expect(sample(exposition, 'sluice_retries_total', { service: 'api' })).toBeGreaterThan(0);
    expect(
      sample(exposition, 'sluice_breaker_transitions_total', { service: 'api', to: 'open' }),
    ).toBe(1);
    expect(sample(exposition, 'sluice_usage_total', { name: 'tokens' })).toBe(80);
    // No host ever becomes a label.
    expect(exposition).not.toContain('down.example');

    const consumers = tracer.finished.filter((s) => s.kind === SpanKind.CONSUMER);
    const clients = tracer.finished.filter((s) => s.kind === SpanKind.CLIENT);
    expect(consumers.length).toBe(8 + 8 + 1);
    expect(clients.length).toBe(8);
    // Each CLIENT span is a child of the CONSUMER span of the item that made the call.
    const consumerIds = new Set(consumers.map((s) => s.context.spanId));
    expect(
      clients.every((s) => s.parentSpanId !== undefined && consumerIds.has(s.parentSpanId)),
    ).toBe(true);
    // The queued job's CONSUMER span continues the trace of the PRODUCER span that enqueued it.
    const producer = tracer.byName('send ping');
    expect(producer.kind).toBe(SpanKind.PRODUCER);
    const job = tracer.byName('process ping');
    expect(job.context.traceId).toBe(producer.context.traceId);
    expect(job.parentSpanId).toBe(producer.context.spanId);

    // Fan-out: each completed fetch hands its two items on under one PRODUCER span, and their
    // first (here only) attempts continue the fetch's trace.
    const fetches = consumers.filter((s) => s.name === 'process fetch');
    const sends = tracer.finished.filter((s) => s.name === 'send store');
    const stores = consumers.filter((s) => s.name === 'process store');
    expect(sends.length).toBe(4);
    expect(stores.length).toBe(8);
    for (const send of sends) {
      expect(send.kind).toBe(SpanKind.PRODUCER);
      expect(send.attributes['messaging.batch.message_count']).toBe(2);
      const fetch = fetches.find((s) => s.context.spanId === send.parentSpanId)!;
      expect(fetch.attributes['sluice.outcome']).toBe('complete');
      expect(send.context.traceId).toBe(fetch.context.traceId);
      const children = stores.filter((s) => s.parentSpanId === send.context.spanId);
      expect(children.map((s) => s.attributes['messaging.message.id']).sort()).toEqual([
        `${String(fetch.attributes['messaging.message.id'])}-a`,
        `${String(fetch.attributes['messaging.message.id'])}-b`,
      ]);
      for (const child of children) expect(child.context.traceId).toBe(fetch.context.traceId);
    }
  });
});
