/**
 * Why: the stored trace context must be W3C Trace Context whatever propagator the application
 * registered globally, and the W3C propagator lives in @opentelemetry/core, which we do not
 * depend on (the API only, never an SDK). This is that propagator, small: `traceparent`
 * version 00 (and later versions read leniently, as the spec asks), plus `tracestate`.
 */
import {
  createTraceState,
  isSpanContextValid,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

const TRACEPARENT = /^\s*([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(-.*)?\s*$/;

/** Parses a `traceparent` value; undefined when it is not valid W3C Trace Context. */
export function parseTraceparent(
  value: string,
): { traceId: string; spanId: string; traceFlags: number } | undefined {
  const match = TRACEPARENT.exec(value);
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  // Version ff is forbidden; version 00 has exactly four fields; later versions may add more.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === undefined || spanId === undefined || flags === undefined) return undefined;
  const parsed = { traceId, spanId, traceFlags: parseInt(flags, 16) };
  return isSpanContextValid({ ...parsed, isRemote: true }) ? parsed : undefined;
}

export class W3CTraceparentPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext === undefined || !isSpanContextValid(spanContext)) return;
    const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
    setter.set(
      carrier,
      TRACEPARENT_HEADER,
      `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`,
    );
    const state = spanContext.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE_HEADER, state);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = first(getter.get(carrier, TRACEPARENT_HEADER));
    if (header === undefined) return context;
    const parsed = parseTraceparent(header);
    if (parsed === undefined) return context;
    const state = getter.get(carrier, TRACESTATE_HEADER);
    const joined = Array.isArray(state) ? state.join(',') : state;
    return trace.setSpanContext(context, {
      ...parsed,
      isRemote: true,
      ...(joined ? { traceState: createTraceState(joined) } : {}),
    });
  }

  fields(): string[] {
    return [TRACEPARENT_HEADER, TRACESTATE_HEADER];
  }
}

const first = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v[0] : v;
