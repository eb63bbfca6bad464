/**
 * Why: every failure of the API reaches a client as one JSON shape, `{ error: { code, message,
 * field? } }`, with a stable code to switch on and a message that names the field and the value
 * expected, so a script or the dashboard can show it as is. Bad requests are told apart from our
 * own faults: 4xx say what to change; a 5xx says only "internal error" (the details, stack
 * included, go to the log, never to the client).
 */
import { isInvalidConfigError, isStoreClosedError } from '../errors/index.js';

export type ApiErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal_error';

export interface ErrorEnvelope {
  readonly error: {
    readonly code: ApiErrorCode;
    readonly message: string;
    /** The path, query or body field at fault (`limit`, `state`, `body.ids[2]`, `runId`). */
    readonly field?: string;
  };
}

/** An error the API answers as is: its status, code, message and field reach the client. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function notFound(what: string, field: string, value: string): ApiError {
  return new ApiError(404, 'not_found', `no ${what} ${JSON.stringify(value)}`, field);
}

/** Fastify's own request errors (body parsing), reworded to name the body as the field. */
const fastifyErrors: Readonly<Record<string, readonly [number, ApiErrorCode, string]>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [
    400,
    'invalid_request',
    'body must be valid JSON (without __proto__ or constructor.prototype keys)',
  ],
  FST_ERR_CTP_EMPTY_JSON_BODY: [
    400,
    'invalid_request',
    'body must be a JSON object when Content-Type is application/json (send {} for none)',
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'body is larger than the limit'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    'unsupported_media_type',
    'body must be sent as application/json',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    400,
    'invalid_request',
    'body length does not match Content-Length',
  ],
};

export interface ErrorResponse {
  readonly statusCode: number;
  readonly body: ErrorEnvelope;
  /** Whether this is our fault (log it as an error) rather than the client's. */
  readonly internal: boolean;
}

/** What the client is told about `error`. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof ApiError) {
    return respond(error.statusCode, error.code, error.message, error.field);
  }
  // Bad arguments the store refused (it checks before any write): the client's fault.
  if (isInvalidConfigError(error)) {
    return respond(400, 'invalid_request', error.message, error.field);
  }
  if (isStoreClosedError(error)) {
    return { ...respond(503, 'unavailable', 'the store is closed'), internal: true };
  }
  const code = (error as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' ? fastifyErrors[code] : undefined;
  if (known) return respond(known[0], known[1], known[2], 'body');
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Another of fastify's client errors (e.g. a forbidden __proto__ key in the body).
    const message = error instanceof Error ? error.message : 'bad request';
    return respond(status, 'invalid_request', message);
  }
  return {
    ...respond(500, 'internal_error', 'internal error (see the server log)'),
    internal: true,
  };
}

/** Messages quote the value given; a 60 KB body quoted back helps nobody. */
const maxMessageLength = 1000;

function respond(
  statusCode: number,
  code: ApiErrorCode,
  message: string,
  field?: string,
): ErrorResponse {
  const bounded =
    message.length <= maxMessageLength ? message : `${message.slice(0, maxMessageLength - 1)}…`;
  return {
    statusCode,
    body: { error: { code, message: bounded, ...(field === undefined ? {} : { field }) } },
    internal: false,
  };
}
