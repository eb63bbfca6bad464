import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { afterEach, beforeEach, expect, it } from 'vitest';
import * as sc from '../src/observe/semconv.js';
import { createSqliteStore, type ItemRecord } from '../src/store/index.js';
import { describeSqlite } from '../src/testing/vitest/index.js';
import { decodeOtlpJsonSpans, type ExportedSpan } from './support/otlp-json.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { startQuickstart } from './support/quickstart-process.js';

/**
 * The quickstart as a child process exporting to a real OTLP/HTTP receiver on loopback. The
 * batch processor's schedule is set far beyond the run, so whatever arrives was sent by the flush
 * on exit (or on the graceful-stop path).
 */
const flushOnlyOnExit = { OTEL_BSP_SCHEDULE_DELAY: '600000' };

async function storedItems(db: string): Promise<ItemRecord[]> {
  const store = await createSqliteStore({ path: db });
  try {
    return [...(await store.listItems({ runId: 'quickstart' }, { limit: 1000 })).items];
  } finally {
    await store.close();
  }
}

describeSqlite('OTLP export from the quickstart', (sqlite) => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(() => receiver.close());

  it('exports every item-stage, call and hand-over span over http/json, chained per the link rule', async () => {
    const db = join(sqlite().dir, 'json.db');
    const run = startQuickstart(['--fresh', '--items', '2', '--db', db], {
      ...flushOnlyOnExit,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=s3cret',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=otlp-test',
    });
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout()).toContain(
      `Exporting traces (OTLP http/json) to ${receiver.url}/v1/traces`,
    );

    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const request of receiver.requests) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/v1/traces');
      expect(request.contentType).toBe('application/json');
      expect(request.headers['x-collector-token']).toBe('s3cret');
    }
    const spans = decodeOtlpJsonSpans(receiver.requests.map((r) => r.body));
    for (const span of spans) {
      expect(span.resource['service.name']).toBe('sluice-quickstart');
      expect(span.resource['deployment.environment.name']).toBe('otlp-test');
      expect(span.scope).toBe('sluice');
    }
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const childrenOf = (span: ExportedSpan, kind: SpanKind): ExportedSpan[] =>
      spans.filter((s) => s.parentSpanId === span.spanId && s.kind === kind);

    // One CONSUMER span per item-stage attempt the store recorded, no more, no fewer.
    const items = await storedItems(db);
    const consumers = spans.filter((s) => s.kind === SpanKind.CONSUMER);
    const attempts = items.flatMap((item) =>
      Array.from({ length: item.attempts }, (_, i) => `${item.stage} ${item.id} #${i + 1}`),
    );
    expect(
      consumers
        .map(
          (s) =>
            `${String(s.attributes[sc.ATTR_MESSAGING_DESTINATION_NAME])} ${String(s.attributes[sc.ATTR_MESSAGING_MESSAGE_ID])} #${String(s.attributes[sc.ATTR_SLUICE_ATTEMPT])}`,
        )
        .sort(),
    ).toEqual(attempts.sort());
    expect(items.filter((i) => i.stage === 'download-image').length).toBe(3); // 1 + 2 images
    for (const span of consumers) {
      const stage = span.attributes[sc.ATTR_MESSAGING_DESTINATION_NAME];
      expect(span.name).toBe(`process ${String(stage)}`);
      expect(span.attributes).toMatchObject({
        [sc.ATTR_MESSAGING_SYSTEM]: sc.MESSAGING_SYSTEM_SLUICE,
        [sc.ATTR_MESSAGING_OPERATION_TYPE]: 'process',
        [sc.ATTR_MESSAGING_OPERATION_NAME]: 'process',
        [sc.ATTR_MESSAGING_CONSUMER_GROUP_NAME]: 'quickstart',
        [sc.ATTR_SLUICE_PIPELINE]: 'quickstart',
        [sc.ATTR_SLUICE_RUN_ID]: 'quickstart',
        [sc.ATTR_SLUICE_OUTCOME]: 'complete',
      });
      expect(typeof span.attributes[sc.ATTR_SLUICE_QUEUE_AGE_MS]).toBe('number');

      // Each handler makes one ctx.call: one CLIENT span, a child of this CONSUMER span.
      const calls = childrenOf(span, SpanKind.CLIENT);
      const service = stage === 'fetch-article' ? 'news' : 'images';
      expect(calls.map((c) => c.name)).toEqual([`call ${service}`]);
      expect(calls[0]!.traceId).toBe(span.traceId);
      expect(calls[0]!.attributes).toMatchObject({
        [sc.ATTR_SLUICE_SERVICE]: service,
        [sc.ATTR_PEER_SERVICE]: service,
        [sc.ATTR_SLUICE_OUTCOME]: 'success',
      });
    }

    // Seeded articles carry no stored context: each first-stage attempt starts its own trace.
    const articles = consumers.filter((s) => s.name === 'process fetch-article');
    expect(articles.length).toBe(2);
    for (const article of articles) {
      expect(article.parentSpanId).toBeUndefined();
      expect(article.links).toEqual([]);
    }

    // Fan-out: the completed article attempt hands its images on under one PRODUCER span...
    const images = consumers.filter((s) => s.name === 'process download-image');
    for (const item of items.filter((i) => i.stage === 'download-image')) {
      const article = articles.find(
        (s) => s.attributes[sc.ATTR_MESSAGING_MESSAGE_ID] === item.parentId,
      )!;
      const [send, ...more] = childrenOf(article, SpanKind.PRODUCER);
      expect(more).toEqual([]);
      expect(send!.name).toBe('send download-image');
      expect(send!.traceId).toBe(article.traceId);
      expect(send!.attributes).toMatchObject({
        [sc.ATTR_MESSAGING_OPERATION_TYPE]: 'send',
        [sc.ATTR_MESSAGING_DESTINATION_NAME]: 'download-image',
        [sc.ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: items.filter((i) => i.parentId === item.parentId)
          .length,
      });
      // ...whose context is what the store keeps with each image item...
      expect(item.traceContext).toBe(`00-${send!.traceId}-${send!.spanId}-01`);
      // ...so the image's first attempt continues the article's trace; a retry would start a new
      // trace linked to the hand-over (tracing.ts's link rule).
      for (const image of images.filter(
        (s) => s.attributes[sc.ATTR_MESSAGING_MESSAGE_ID] === item.id,
      )) {
        if (image.attributes[sc.ATTR_SLUICE_ATTEMPT] === 1) {
          expect(image.traceId).toBe(article.traceId);
          expect(byId.get(image.parentSpanId!)).toBe(send);
          expect(image.links).toEqual([]);
        } else {
          expect(image.traceId).not.toBe(article.traceId);
          expect(image.parentSpanId).toBeUndefined();
          expect(image.links).toEqual([
            {
              traceId: send!.traceId,
              spanId: send!.spanId,
              attributes: { [sc.ATTR_SLUICE_LINK_REASON]: 'retry' },
            },
          ]);
        }
      }
    }
    expect(images.length).toBe(3);
    expect(spans.length).toBe(2 + 2 + 2 + 3 + 3); // consumers, calls, sends, consumers, calls
  }, 60_000);

  it('flushes on the graceful-stop path, over http/protobuf by default', async () => {
    const db = join(sqlite().dir, 'stop.db');
    const run = startQuickstart(['--fresh', '--items', '12', '--db', db], {
      ...flushOnlyOnExit,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'otlp-sigint-test',
    });
    await run.waitFor(/download-image: [1-9]\d* done/);
    run.proc.kill('SIGINT');
    expect(await run.exited, run.stderr()).toBe(130);
    expect(run.stdout()).toContain('Stopped early');
    expect(run.stdout()).toContain('Exporting traces (OTLP http/protobuf)');

    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const request of receiver.requests) {
      expect(request.path).toBe('/v1/traces');
      expect(request.contentType).toBe('application/x-protobuf');
    }
    // Protobuf carries strings as raw UTF-8: enough to see what was sent without decoding it.
    const sent = Buffer.concat(receiver.requests.map((r) => r.body));
    expect(sent.includes('otlp-sigint-test')).toBe(true);
    expect(sent.includes('sluice-quickstart')).toBe(false);
    expect(sent.includes('process download-image')).toBe(true);
    expect(sent.includes('send download-image')).toBe(true);
  }, 60_000);

  it('exports nothing and reads no exporter settings without an OTLP traces endpoint', async () => {
    const db = join(sqlite().dir, 'off.db');
    const run = startQuickstart(['--fresh', '--items', '2', '--db', db], {
      ...flushOnlyOnExit,
      OTEL_SERVICE_NAME: 'otlp-off-test',
      // Not a traces endpoint, and a protocol that would be refused if anything read it.
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/Run quickstart: completed/);
    expect(run.stdout()).not.toContain('Exporting traces');
    expect(receiver.requests).toEqual([]);
  }, 60_000);

  it("bounds the flush when no receiver answers, and still exits with the run's code", async () => {
    const db = join(sqlite().dir, 'down.db');
    const closed = await startOtlpReceiver();
    await closed.close(); // a port that refuses connections
    const startedAt = Date.now();
    const run = startQuickstart(['--fresh', '--items', '2', '--db', db], {
      OTEL_EXPORTER_OTLP_ENDPOINT: closed.url,
    });
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/Run quickstart: completed/);
    expect(run.stderr()).toContain(
      `Traces not flushed within 5000 ms: is an OTLP receiver listening at ${closed.url}/v1/traces?`,
    );
    expect(Date.now() - startedAt).toBeLessThan(30_000);
  }, 60_000);

  it('refuses a bad endpoint by name before starting the run', async () => {
    const db = join(sqlite().dir, 'bad.db');
    const run = startQuickstart(['--fresh', '--items', '2', '--db', db], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318',
    });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL such as http://localhost:4318, got "localhost:4318"',
    );
    expect(run.stdout()).not.toContain('Starting the quickstart run');
  }, 60_000);
});
