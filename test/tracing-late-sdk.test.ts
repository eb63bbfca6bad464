/**
 * An application may register its OpenTelemetry SDK after Sluice created its tracing (a Runner
 * built at import time, the SDK started in main), and may load the SDK as CommonJS while Sluice
 * loads the API as an ES module: two builds of the API, one global registry. Sluice's spans must
 * still reach the SDK. Here the SDK is loaded with require(), as a CommonJS application would.
 */
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { createTracing } from '../src/observe/index.js';

const require = createRequire(import.meta.url);

interface FinishedSpan {
  readonly name: string;
}
interface SdkModules {
  NodeTracerProvider: new (config: { spanProcessors: unknown[] }) => {
    register(): void;
    shutdown(): Promise<void>;
  };
  SimpleSpanProcessor: new (exporter: unknown) => unknown;
  InMemorySpanExporter: new () => { getFinishedSpans(): FinishedSpan[] };
}

it('records spans through an SDK registered (as CommonJS) after the tracing was created', async () => {
  let clock = 0;
  const tracing = createTracing({ now: () => clock });
  expect(tracing.enabled()).toBe(false);

  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as SdkModules;
  const { SimpleSpanProcessor, InMemorySpanExporter } =
    require('@opentelemetry/sdk-trace-base') as SdkModules;
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  provider.register();
  try {
    expect(tracing.enabled()).toBe(false); // re-checked at most once a second
    clock += 1000;
    expect(tracing.enabled()).toBe(true);
    const item = tracing.startItemSpan({ pipeline: 'p', stage: 'fetch', itemId: 'a', attempt: 1 });
    tracing.finish(item.span);
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['process fetch']);
  } finally {
    await provider.shutdown();
  }
});
