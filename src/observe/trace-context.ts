/**
 * Why: an item can wait in the store for hours and be picked up by another worker after a
 * restart, so its trace context must travel as data, not in memory. This turns a Context into
 * the one string stored with the item (the items table's trace_context column) and back, using
 * the propagation API with a carrier object. The string is the W3C `traceparent`, followed by a
 * newline and the `tracestate` when there is one (neither header may contain a newline).
 */
import {
  ROOT_CONTEXT,
  defaultTextMapGetter,
  defaultTextMapSetter,
  type Context,
  type TextMapPropagator,
} from '@opentelemetry/api';
import {
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  W3CTraceparentPropagator,
} from './traceparent-propagator.js';

const w3c = new W3CTraceparentPropagator();

/** The stored form of `context`'s span context, or null when it has no valid one. */
export function serializeTraceContext(
  context: Context,
  propagator: TextMapPropagator = w3c,
): string | null {
  const carrier: Record<string, string> = {};
  propagator.inject(context, carrier, defaultTextMapSetter);
  const parent = carrier[TRACEPARENT_HEADER];
  if (parent === undefined) return null;
  const state = carrier[TRACESTATE_HEADER];
  return state ? `${parent}\n${state}` : parent;
}

/**
 * A context whose (remote) span context is the stored one, based on `base` (default the root
 * context); undefined when the string is empty or not valid.
 */
export function deserializeTraceContext(
  stored: string | null | undefined,
  base: Context = ROOT_CONTEXT,
  propagator: TextMapPropagator = w3c,
): Context | undefined {
  if (!stored) return undefined;
  const newline = stored.indexOf('\n');
  const carrier: Record<string, string> = {
    [TRACEPARENT_HEADER]: newline < 0 ? stored : stored.slice(0, newline),
  };
  if (newline >= 0) carrier[TRACESTATE_HEADER] = stored.slice(newline + 1);
  const extracted = propagator.extract(base, carrier, defaultTextMapGetter);
  return extracted === base ? undefined : extracted;
}
