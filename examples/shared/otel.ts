/**
 * OpenTelemetry for the examples: exports the spans Sluice emits (through @opentelemetry/api
 * only) over OTLP/HTTP when the standard environment variables ask for it. The library never
 * does this; an application wires its own SDK the same way (docs/observability.md, "Exporting
 * traces"). Without an OTLP endpoint in the environment nothing is loaded or registered, so the
 * engine's `tracing.enabled()` stays false and spans cost nothing.
 *
 * Read here: OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (one must be set),
 * OTEL_EXPORTER_OTLP[_TRACES]_PROTOCOL (http/protobuf, the default, or http/json),
 * OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER (otlp or none), OTEL_LOG_LEVEL. The SDK reads the
 * rest itself: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (env detector),
 * OTEL_EXPORTER_OTLP[_TRACES]_HEADERS / _TIMEOUT / _COMPRESSION (exporter),
 * OTEL_TRACES_SAMPLER[_ARG] and span limits (provider), OTEL_BSP_* (batch processor).
 */
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { InvalidConfigError } from '../../src/index.js';

export interface OtelTracing {
  /** False when the environment asked for no export: then nothing was loaded or registered. */
  readonly enabled: boolean;
  /** Where spans go (the traces URL), when enabled. */
  readonly endpoint?: string;
  readonly protocol?: OtlpProtocol;
  /** Exports what is still buffered and stops the provider; bounded by `timeoutMs`. */
  shutdown(options?: { readonly timeoutMs?: number }): Promise<void>;
}

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface StartTracingOptions {
  /** `service.name` unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES name one. */
  readonly serviceName: string;
}

const disabled: OtelTracing = Object.freeze({ enabled: false, shutdown: () => Promise.resolve() });

/**
 * Registers a tracer provider (batch span processor, OTLP exporter, W3C trace-context
 * propagation, AsyncLocalStorage context) when OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; otherwise returns a no-op. Call it before creating a
 * Runner or Queue: see the note on API copies in docs/observability.md.
 */
export async function startTracingFromEnv(options: StartTracingOptions): Promise<OtelTracing> {
  if (!env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') && !env('OTEL_EXPORTER_OTLP_ENDPOINT')) {
    return disabled;
  }
  if (env('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return disabled;
  const exporterName = env('OTEL_TRACES_EXPORTER')?.toLowerCase() ?? 'otlp';
  if (exporterName === 'none') return disabled;
  if (exporterName !== 'otlp') {
    throw new InvalidConfigError(
      'OTEL_TRACES_EXPORTER',
      '"otlp" or "none" (the examples export OTLP only)',
      exporterName,
    );
  }
  const endpoint = tracesEndpoint();
  const protocol = otlpProtocol();
  diag.setLogger(new DiagConsoleLogger(), diagLevel());

  // Loaded only now, so a run without an endpoint does not even parse the SDK.
  const [{ BatchSpanProcessor, NodeTracerProvider }, resources, semconv, exporterModule] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
      protocol === 'http/json'
        ? import('@opentelemetry/exporter-trace-otlp-http')
        : import('@opentelemetry/exporter-trace-otlp-proto'),
    ]);
  // Later merges win: the SDK's defaults, then our default name, then what the environment says.
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: options.serviceName }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  // The exporter reads the endpoint, headers, timeout and compression from the environment.
  const exporter = new exporterModule.OTLPTraceExporter();
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Defaults: an AsyncLocalStorage context manager (so CLIENT spans find their CONSUMER parent
  // across awaits) and the W3C trace-context + baggage propagators.
  provider.register();

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    endpoint,
    protocol,
    shutdown({ timeoutMs = 5_000 } = {}) {
      stopped ??= withDeadline(
        provider.shutdown().catch((error: unknown) => {
          console.error(
            `Traces not flushed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }),
        timeoutMs,
        () =>
          console.error(
            `Traces not flushed within ${timeoutMs} ms: is an OTLP receiver listening at ${endpoint}?`,
          ),
      );
      return stopped;
    },
  };
}

/** The traces URL the exporter will use (one of the two variables is set). */
function tracesEndpoint(): string {
  const specific = env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (specific !== undefined) return httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific);
  const base = env('OTEL_EXPORTER_OTLP_ENDPOINT') ?? '';
  // As the exporter does: the base URL gets the signal's path appended.
  return `${httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', base).replace(/\/$/, '')}/v1/traces`;
}

/** Checked here because the exporter would only log a bad URL and send to localhost instead. */
function httpUrl(name: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidConfigError(name, 'an http(s) URL such as http://localhost:4318', value);
  }
  return value;
}

function otlpProtocol(): OtlpProtocol {
  const name = env('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const value = env(name) ?? 'http/protobuf';
  if (value === 'http/protobuf' || value === 'http/json') return value;
  throw new InvalidConfigError(
    name,
    '"http/protobuf" or "http/json" (the examples export over HTTP, not gRPC)',
    value,
  );
}

/** OTEL_LOG_LEVEL, default warn: export failures (a receiver that is down) show on stderr. */
function diagLevel(): DiagLogLevel {
  const value = env('OTEL_LOG_LEVEL');
  if (value === undefined) return DiagLogLevel.WARN;
  const level: unknown = DiagLogLevel[value.toUpperCase() as keyof typeof DiagLogLevel];
  if (typeof level !== 'number') {
    throw new InvalidConfigError(
      'OTEL_LOG_LEVEL',
      'one of none, error, warn, info, debug, verbose, all',
      value,
    );
  }
  return level;
}

/** A variable's value; blank counts as unset, as in the SDK. */
function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

async function withDeadline(work: Promise<void>, ms: number, onLate: () => void): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      onLate();
      resolve();
    }, ms);
  });
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
