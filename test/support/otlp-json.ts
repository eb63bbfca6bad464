/**
 * Test support: flattens OTLP/HTTP JSON export requests (ExportTraceServiceRequest, the
 * `http/json` protocol) into spans with plain attribute maps, so tests can assert on what an
 * exporter really sent without any protobuf or OpenTelemetry SDK code.
 */
import type { SpanKind } from '@opentelemetry/api';

export type AttributeValue = string | number | boolean | null | readonly AttributeValue[];
export type AttributeMap = Readonly<Record<string, AttributeValue>>;

export interface ExportedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Undefined for a root span. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** The API's SpanKind (OTLP's enum is the API's plus one). */
  readonly kind: SpanKind;
  readonly attributes: AttributeMap;
  readonly links: readonly {
    readonly traceId: string;
    readonly spanId: string;
    readonly attributes: AttributeMap;
  }[];
  readonly status: { readonly code: number; readonly message?: string };
  readonly resource: AttributeMap;
  readonly scope: string;
}

interface OtlpKeyValue {
  readonly key: string;
  readonly value: OtlpAnyValue;
}
interface OtlpAnyValue {
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly intValue?: number | string;
  readonly doubleValue?: number;
  readonly arrayValue?: { readonly values?: readonly OtlpAnyValue[] };
}
interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes?: readonly OtlpKeyValue[];
  readonly links?: readonly {
    traceId: string;
    spanId: string;
    attributes?: readonly OtlpKeyValue[];
  }[];
  readonly status?: { readonly code?: number; readonly message?: string };
}
interface OtlpTraceRequest {
  readonly resourceSpans?: readonly {
    readonly resource?: { readonly attributes?: readonly OtlpKeyValue[] };
    readonly scopeSpans?: readonly {
      readonly scope?: { readonly name?: string };
      readonly spans?: readonly OtlpSpan[];
    }[];
  }[];
}

/** Every span of every request body, in the order received. */
export function decodeOtlpJsonSpans(bodies: readonly Buffer[]): ExportedSpan[] {
  const spans: ExportedSpan[] = [];
  for (const body of bodies) {
    const request = JSON.parse(body.toString('utf8')) as OtlpTraceRequest;
    for (const resourceSpans of request.resourceSpans ?? []) {
      const resource = attributeMap(resourceSpans.resource?.attributes);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          spans.push({
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ? span.parentSpanId : undefined,
            name: span.name,
            kind: span.kind - 1,
            attributes: attributeMap(span.attributes),
            links: (span.links ?? []).map((link) => ({
              traceId: link.traceId,
              spanId: link.spanId,
              attributes: attributeMap(link.attributes),
            })),
            status: { code: span.status?.code ?? 0, message: span.status?.message },
            resource,
            scope: scopeSpans.scope?.name ?? '',
          });
        }
      }
    }
  }
  return spans;
}

function attributeMap(list: readonly OtlpKeyValue[] | undefined): AttributeMap {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, anyValue(value)]));
}

function anyValue(value: OtlpAnyValue): AttributeValue {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  // int64 travels as a string or a number in OTLP JSON.
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValue);
  return null;
}
