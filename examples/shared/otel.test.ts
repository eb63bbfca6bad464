import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTracing, isInvalidConfigError } from '../../src/index.js';
import { startTracingFromEnv } from './otel.js';

/**
 * In process, only the cases that must register nothing: the export itself runs in a child
 * process against a real receiver (test/otlp-export.test.ts), so no global provider leaks here.
 */
/** Exactly these OTEL_* variables, none of the developer's own. */
function useEnv(env: Readonly<Record<string, string>>): void {
  vi.unstubAllEnvs();
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('OTEL_')) vi.stubEnv(name, undefined);
  }
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}

function noProviderRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return (
    provider instanceof ProxyTracerProvider &&
    provider.getDelegate().constructor.name === 'NoopTracerProvider' &&
    !createTracing().enabled()
  );
}

async function refusal(env: Readonly<Record<string, string>>): Promise<string> {
  useEnv(env);
  const error = await startTracingFromEnv({ serviceName: 'test' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isInvalidConfigError(error))
    throw new Error(`expected an InvalidConfigError, got ${String(error)}`);
  return error.message;
}

describe('startTracingFromEnv', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    expect(noProviderRegistered()).toBe(true);
  });

  it('is a frozen no-op without an OTLP traces endpoint, whatever else is set', async () => {
    useEnv({
      OTEL_SERVICE_NAME: 'ignored',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:1',
      // Would be refused if it were read: proves nothing past the endpoint check runs.
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    const tracing = await startTracingFromEnv({ serviceName: 'test' });
    expect(tracing.enabled).toBe(false);
    expect(tracing.endpoint).toBeUndefined();
    expect(Object.isFrozen(tracing)).toBe(true);
    await expect(tracing.shutdown()).resolves.toBeUndefined();
  });

  it('treats a blank endpoint as unset, as the SDK does', async () => {
    useEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' });
    expect((await startTracingFromEnv({ serviceName: 'test' })).enabled).toBe(false);
  });

  it.each([
    ['OTEL_SDK_DISABLED', 'true'],
    ['OTEL_TRACES_EXPORTER', 'none'],
  ])('stays off with an endpoint when %s=%s', async (name, value) => {
    useEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', [name]: value });
    expect((await startTracingFromEnv({ serviceName: 'test' })).enabled).toBe(false);
  });

  it('names the variable and the expected value of a bad setting, registering nothing', async () => {
    expect(await refusal({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toBe(
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL such as http://localhost:4318, got "not a url"',
    );
    expect(
      await refusal({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://collector/v1/traces' }),
    ).toMatch(/^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http\(s\) URL/);
    expect(
      await refusal({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      }),
    ).toBe(
      'OTEL_EXPORTER_OTLP_PROTOCOL must be "http/protobuf" or "http/json" (the examples export over HTTP, not gRPC), got "grpc"',
    );
    expect(
      await refusal({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      }),
    ).toMatch(/^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be/);
    expect(
      await refusal({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
        OTEL_TRACES_EXPORTER: 'zipkin',
      }),
    ).toMatch(/^OTEL_TRACES_EXPORTER must be "otlp" or "none"/);
    expect(
      await refusal({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_LOG_LEVEL: 'loud' }),
    ).toMatch(/^OTEL_LOG_LEVEL must be one of none, error, warn/);
  });
});
