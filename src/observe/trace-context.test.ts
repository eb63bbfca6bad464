import {
  ROOT_CONTEXT,
  createTraceState,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
} from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { deserializeTraceContext, serializeTraceContext } from './trace-context.js';
import { W3CTraceparentPropagator, parseTraceparent } from './traceparent-propagator.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';
const parent = `00-${traceId}-${spanId}-01`;

describe('W3CTraceparentPropagator', () => {
  it('parses a valid traceparent', () => {
    expect(parseTraceparent(parent)).toEqual({ traceId, spanId, traceFlags: 1 });
  });

  it.each([
    ['version ff', `ff-${traceId}-${spanId}-01`],
    ['version 00 with extra fields', `${parent}-extra`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${spanId}-01`],
    ['an all-zero span id', `00-${traceId}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${traceId.toUpperCase()}-${spanId}-01`],
    ['a short span id', `00-${traceId}-00f067aa-01`],
    ['garbage', 'not a traceparent'],
  ])('refuses %s', (_label, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('reads later versions leniently (extra fields allowed)', () => {
    expect(parseTraceparent(`01-${traceId}-${spanId}-00-more`)).toEqual({
      traceId,
      spanId,
      traceFlags: 0,
    });
  });

  it('injects and extracts traceparent and tracestate through a carrier object', () => {
    const propagator = new W3CTraceparentPropagator();
    const ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId,
      traceFlags: 1,
      traceState: createTraceState('vendor=a,other=b'),
    });
    const carrier: Record<string, string> = {};
    propagator.inject(ctx, carrier, defaultTextMapSetter);
    expect(carrier).toEqual({ traceparent: parent, tracestate: 'vendor=a,other=b' });
    const back = trace.getSpanContext(
      propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter),
    );
    expect(back).toMatchObject({ traceId, spanId, traceFlags: 1, isRemote: true });
    expect(back?.traceState?.get('vendor')).toBe('a');
    expect(propagator.fields()).toEqual(['traceparent', 'tracestate']);
  });

  it('injects nothing without a valid span context', () => {
    const carrier: Record<string, string> = {};
    new W3CTraceparentPropagator().inject(ROOT_CONTEXT, carrier, defaultTextMapSetter);
    expect(carrier).toEqual({});
  });
});

describe('stored trace context', () => {
  it('round-trips through the string stored with an item', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: 1 });
    const stored = serializeTraceContext(ctx);
    expect(stored).toBe(parent);
    expect(trace.getSpanContext(deserializeTraceContext(stored)!)).toMatchObject({
      traceId,
      spanId,
      isRemote: true,
    });
  });

  it('keeps the tracestate after a newline', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId,
      traceFlags: 1,
      traceState: createTraceState('k=v'),
    });
    const stored = serializeTraceContext(ctx);
    expect(stored).toBe(`${parent}\nk=v`);
    expect(trace.getSpanContext(deserializeTraceContext(stored)!)?.traceState?.get('k')).toBe('v');
  });

  it('stores null without a span and reads nothing from null, empty or corrupt strings', () => {
    expect(serializeTraceContext(ROOT_CONTEXT)).toBeNull();
    expect(deserializeTraceContext(null)).toBeUndefined();
    expect(deserializeTraceContext('')).toBeUndefined();
    expect(deserializeTraceContext('00-nope')).toBeUndefined();
  });
});
