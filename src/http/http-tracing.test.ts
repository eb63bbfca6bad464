import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryTracer, installContextManager } from '../../test/support/in-memory-otel.js';
import { createTracing } from '../observe/index.js';
import { retry } from '../policies/index.js';
import { startFixtureServer, type FixtureServer } from './fixture-server.js';
import { createHttpClient } from './http-client.js';

let uninstall: () => void;
let server: FixtureServer;
let flaky = 0;

beforeAll(async () => {
  uninstall = installContextManager();
  server = await startFixtureServer({
    '/': (_q, r) => r.end('ok'),
    '/flaky': (_q, r) => r.writeHead(++flaky === 1 ? 503 : 200).end(),
  });
});
afterAll(async () => {
  uninstall();
  await server.close();
});

describe('HttpClient tracing', () => {
  it('sends traceparent from the active context without tracing of its own', async () => {
    const client = createHttpClient();
    const parent = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    };
    try {
      await context.with(trace.setSpanContext(ROOT_CONTEXT, parent), () =>
        client.get(`${server.origin}/`),
      );
      expect(server.requests.at(-1)?.headers.traceparent).toBe(
        '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      );
      await client.get(`${server.origin}/`);
      expect(server.requests.at(-1)?.headers.traceparent).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it('makes a CLIENT span per attempt and sends its context', async () => {
    const tracer = new InMemoryTracer();
    const tracing = createTracing({ tracer });
    const client = createHttpClient({
      tracing,
      service: 'web',
      policy: retry({
        maxAttempts: 2,
        backoff: { kind: 'constant', initialMs: 0, jitter: 'none' },
      }),
    });
    try {
      await client.get(`http://user:pw@127.0.0.1:${server.port}/flaky?api_key=k`);
      const spans = tracer.finished.filter((s) => s.name === 'GET web');
      expect(spans).toHaveLength(2);
      const [failed, ok] = spans as [(typeof spans)[0], (typeof spans)[0]];
      expect(failed.kind).toBe(SpanKind.CLIENT);
      expect(failed.status.code).toBe(SpanStatusCode.ERROR);
      expect(failed.attributes).toMatchObject({
        'http.request.method': 'GET',
        'http.response.status_code': 503,
        'server.address': '127.0.0.1',
        'server.port': server.port,
        'url.full': `http://user:***@127.0.0.1:${server.port}/flaky?api_key=***`,
        'sluice.attempt': 1,
      });
      expect(ok.attributes).toMatchObject({
        'http.response.status_code': 200,
        'sluice.attempt': 2,
      });
      const received = server.requests.filter((r) => r.path === '/flaky');
      expect(received.map((r) => r.headers.traceparent)).toEqual([
        `00-${failed.context.traceId}-${failed.context.spanId}-01`,
        `00-${ok.context.traceId}-${ok.context.spanId}-01`,
      ]);
    } finally {
      await client.close();
    }
  });
});
