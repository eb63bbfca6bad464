/**
 * Why: one way to build Sluice's pino logger, so every component logs the same JSON lines with
 * the same correlation fields and the same redaction:
 *
 * - JSON lines (ISO `time`, string `level`, `service`, pid, hostname); readable lines on a TTY;
 * - `trace_id`/`span_id` added by a mixin whenever an OpenTelemetry span is active, so a log
 *   line leads to its trace;
 * - secrets redacted everywhere (redact.ts): in logged objects at any depth, child bindings,
 *   message strings, serialized errors, and pino `redact` paths for serializer output;
 * - per-component levels (log-levels.ts): `logger.component('store')` is a child logger bound to
 *   `component: 'store'` at that component's level;
 * - `itemLogger(logger, {...})` binds run_id, pipeline, stage, item_id, attempt, correlation_id.
 */
import { hostname } from 'node:os';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import {
  pino,
  type Bindings,
  type ChildLoggerOptions,
  type DestinationStream,
  type Logger,
} from 'pino';
import { resolveLogLevels, type LogComponent, type LogLevelOptions } from './log-levels.js';
import { createPrettyStream } from './pretty-stream.js';
import { REDACTED, redactDeep, redactPaths, redactString } from './redact.js';

export interface CreateLoggerOptions extends LogLevelOptions {
  /** Readable lines instead of JSON; default: when writing to stdout and stdout is a TTY. */
  readonly pretty?: boolean;
  /** Where lines go, default stdout. */
  readonly destination?: DestinationStream;
  /** The `service` field, default `sluice`. */
  readonly service?: string;
  /** More fields on every line. */
  readonly base?: Readonly<Record<string, unknown>>;
}

export type SluiceLogger = Logger & {
  /** A child bound to `component: name`, at the level configured for that component. */
  component(name: LogComponent | (string & {})): Logger;
};

/** The trace fields of the active span, if any (also used as the logger's mixin). */
export function activeTraceFields(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

export function createLogger(options: CreateLoggerOptions = {}): SluiceLogger {
  const levels = resolveLogLevels(options);
  const pretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY);
  const destination = pretty
    ? createPrettyStream(options.destination ?? process.stdout, {
        colors: options.destination === undefined,
      })
    : (options.destination ?? pino.destination(1));

  const root = pino(
    {
      level: levels.root,
      base: {
        service: options.service ?? 'sluice',
        pid: process.pid,
        hostname: hostname(),
        ...options.base,
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: activeTraceFields,
      redact: { paths: [...redactPaths], censor: REDACTED },
      serializers: {
        // The std serializer returns an object with a prototype; spread it to redact it.
        err: (error: unknown) => redactDeep({ ...pino.stdSerializers.err(error as Error) }),
      },
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactDeep(bindings) as typeof bindings, // root's base only
        log: (object) => redactDeep(object) as typeof object,
      },
      hooks: {
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) {
            const arg: unknown = args[i];
            if (typeof arg === 'string') args[i] = redactString(arg);
          }
          method.apply(this, args);
        },
      },
    },
    destination,
  );

  // pino applies the bindings formatter to the root's base only, so children redact here; every
  // descendant inherits this override through its prototype chain.
  const pinoChild: unknown = Reflect.get(root, 'child');
  Reflect.set(
    root,
    'child',
    function (this: Logger, bindings: Bindings, childOptions?: ChildLoggerOptions): Logger {
      const original = pinoChild as (...args: unknown[]) => Logger;
      return Reflect.apply(original, this, [redactDeep(bindings), childOptions]);
    },
  );

  return Object.assign(root, {
    component(this: Logger, name: string): Logger {
      return this.child({ component: name }, { level: levels.of(name) });
    },
  });
}

/** What identifies one item-stage attempt in logs. */
export interface ItemLogFields {
  readonly runId?: string;
  readonly pipeline?: string;
  readonly stage?: string;
  readonly itemId?: string;
  readonly attempt?: number;
  readonly correlationId?: string;
}

/** The snake_case bindings of `fields`, leaving out those not given. */
export function itemLogBindings(fields: ItemLogFields): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (fields.runId !== undefined) out.run_id = fields.runId;
  if (fields.pipeline !== undefined) out.pipeline = fields.pipeline;
  if (fields.stage !== undefined) out.stage = fields.stage;
  if (fields.itemId !== undefined) out.item_id = fields.itemId;
  if (fields.attempt !== undefined) out.attempt = fields.attempt;
  if (fields.correlationId !== undefined) out.correlation_id = fields.correlationId;
  return out;
}

/** A child of `logger` bound to one item-stage attempt. */
export function itemLogger(logger: Logger, fields: ItemLogFields): Logger {
  return logger.child(itemLogBindings(fields));
}
