import { SpanKind, context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors/index.js';
import { InMemoryTracer, installContextManager } from '../../test/support/in-memory-otel.js';
import { createLogger, itemLogger, type CreateLoggerOptions } from './logger.js';
import { formatPrettyLine } from './pretty-stream.js';
import { REDACTED } from './redact.js';

let uninstall: () => void;
beforeAll(() => {
  uninstall = installContextManager();
});
afterAll(() => uninstall());

function capture(options: CreateLoggerOptions = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    env: {},
    ...options,
    destination: { write: (s: string) => void lines.push(s) },
  });
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, records };
}

describe('createLogger', () => {
  it('writes JSON lines with base fields', () => {
    const { logger, records } = capture({ base: { env: 'test' } });
    logger.info({ count: 3 }, 'claimed');
    const [r] = records();
    expect(r).toMatchObject({
      level: 'info',
      service: 'sluice',
      env: 'test',
      count: 3,
      msg: 'claimed',
    });
    expect(r!.pid).toBe(process.pid);
    expect(typeof r!.hostname).toBe('string');
    expect(String(r!.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(r!.trace_id).toBeUndefined();
  });

  it('binds the item fields with itemLogger', () => {
    const { logger, records } = capture();
    itemLogger(logger, {
      runId: 'r1',
      pipeline: 'news',
      stage: 'download',
      itemId: 'i9',
      attempt: 2,
      correlationId: 'c7',
    }).warn('slow');
    expect(records()[0]).toMatchObject({
      run_id: 'r1',
      pipeline: 'news',
      stage: 'download',
      item_id: 'i9',
      attempt: 2,
      correlation_id: 'c7',
      msg: 'slow',
    });
  });

  it('adds trace_id and span_id while a span is active', () => {
    const { logger, records } = capture();
    const tracer = new InMemoryTracer();
    const span = tracer.startSpan('process download', { kind: SpanKind.CONSUMER });
    context.with(trace.setSpan(context.active(), span), () =>
      logger.component('runtime').info('in span'),
    );
    logger.info('outside');
    const [inside, outside] = records();
    expect(inside).toMatchObject({
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
      component: 'runtime',
    });
    expect(outside!.trace_id).toBeUndefined();
  });

  it('redacts headers, secret fields and API keys in URLs, nested, in bindings, messages and errors', () => {
    const { logger, lines, records } = capture();
    logger.child({ apiKey: 'bound-secret' }).info(
      {
        req: { headers: { authorization: 'Bearer a', cookie: 'sid=1', 'x-api-key': 'k' } },
        deep: { config: { service: { token: 't', password: 'p', secret: 's', api_key: 'a' } } },
        url: 'https://gemini/v1?key=AIzaSECRET&model=x',
        links: ['https://x/?access_token=abc'],
      },
      'fetching https://x/?api_key=INMSG',
    );
    logger.error({ err: new Error('GET https://x/?token=INERR failed') }, 'boom');
    const text = lines.join('');
    for (const secret of [
      'bound-secret',
      'Bearer a',
      'sid=1',
      'AIzaSECRET',
      'abc',
      'INMSG',
      'INERR',
    ]) {
      expect(text).not.toContain(secret);
    }
    const [r, e] = records();
    expect(r).toMatchObject({
      apiKey: REDACTED,
      req: { headers: { authorization: REDACTED, cookie: REDACTED, 'x-api-key': REDACTED } },
      deep: {
        config: {
          service: { token: REDACTED, password: REDACTED, secret: REDACTED, api_key: REDACTED },
        },
      },
      url: `https://gemini/v1?key=${REDACTED}&model=x`,
      msg: `fetching https://x/?api_key=${REDACTED}`,
    });
    expect((e!.err as { message: string }).message).toBe(`GET https://x/?token=${REDACTED} failed`);
  });

  it('takes levels from the environment, per component, most specific first', () => {
    const { logger, records } = capture({
      level: 'debug',
      componentLevels: { http: 'error', store: 'error' },
      env: { SLUICE_LOG_LEVEL: 'warn', SLUICE_LOG_LEVEL_STORE: 'debug' },
    });
    logger.info('root info: dropped (env warn beats option debug)');
    logger.warn('root warn');
    logger.component('store').debug('store debug (env beats option)');
    logger.component('http').warn('http warn: dropped (option error beats env root)');
    logger.component('cli').warn('cli warn (falls back to root)');
    expect(records().map((r) => r.msg)).toEqual([
      'root warn',
      'store debug (env beats option)',
      'cli warn (falls back to root)',
    ]);
    expect(records()[1]!.component).toBe('store');
  });

  it('refuses a bad level, naming where it came from', () => {
    expect(() => capture({ env: { SLUICE_LOG_LEVEL_STORE: 'loud' } })).toThrow(InvalidConfigError);
    expect(() => capture({ env: { SLUICE_LOG_LEVEL_STORE: 'loud' } })).toThrow(
      /SLUICE_LOG_LEVEL_STORE/,
    );
    expect(() => capture({ level: 'nope' as 'info' })).toThrow(/logger level/);
  });

  it('writes readable lines when pretty', () => {
    const { logger, lines } = capture({ pretty: true });
    logger.component('store').info({ count: 5, note: 'two words' }, 'claimed a batch');
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[store\] claimed a batch count=5 note="two words"\n$/,
    );
  });
});

describe('formatPrettyLine', () => {
  it('prints the stack of an error and passes non-JSON through', () => {
    const line = JSON.stringify({
      level: 50,
      time: 0,
      msg: 'x',
      err: { stack: 'Error: x\n    at f' },
    });
    expect(formatPrettyLine(line)).toContain('ERROR x\n  Error: x\n      at f');
    expect(formatPrettyLine('plain text')).toBe('plain text');
  });
});
