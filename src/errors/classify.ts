import { isAbortedError } from './aborted-error.js';
import { isBreakerOpenError } from './breaker-open-error.js';
import { isBulkheadFullError } from './bulkhead-full-error.js';
import { failureCategories, type FailureCategory } from './failure-category.js';
import { isHttpRequestError } from './http-request-error.js';
import { isHttpStatusError } from './http-status-error.js';
import { isHttpTimeoutError } from './http-timeout-error.js';
import { isInjectedFaultError } from './injected-fault-error.js';
import { isInvalidConfigError } from './invalid-config-error.js';
import { isRateLimitedError } from './rate-limited-error.js';
import { parseRetryAfter } from './retry-after.js';
import { isTimeoutError } from './timeout-error.js';

/** What the classifier made of a thrown value. */
export interface Classification {
  readonly category: FailureCategory;
  /** A stable code when one is known: ours (SLUICE_*), Node's (ECONNRESET), undici's (UND_ERR_*). */
  readonly code?: string;
  readonly status?: number;
  /** The error's text; for a thrown non-Error value, its string form, so nothing is lost. */
  readonly message: string;
  /** How long the failure itself asks us to wait (Retry-After, a limiter's delay). */
  readonly retryAfterMs?: number;
}

/** A user rule, tried before the defaults; the first match wins. */
export interface ClassifierRule {
  readonly match: (error: unknown) => boolean;
  readonly category: FailureCategory;
}

export type Classifier = (error: unknown) => Classification;

const recoverableStatuses = new Set([408, 425, 500, 502, 503, 504]);
const recoverableCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

/** The category an HTTP status maps to by default; undefined for non-error statuses. */
export function classifyStatus(status: number): FailureCategory | undefined {
  if (status < 400) return undefined;
  if (status === 429) return 'rate_limited';
  if (recoverableStatuses.has(status)) return 'recoverable';
  return 'non_recoverable';
}

/**
 * Builds a classifier: user rules first, then the defaults. Defaults: our own errors by kind
 * (an HttpRequestError by its reason, see http-request-error.ts; an HttpTimeoutError is
 * recoverable);
 * an error that names its own `category`; an HTTP status (`status`, `statusCode`,
 * `response.status`); network codes (ECONNRESET, ECONNREFUSED, ETIMEDOUT, EAI_AGAIN, ...) and
 * undici's UND_ERR_* recoverable, looked up along the `cause` chain (fetch wraps them in a
 * TypeError); a programming error (SyntaxError, ReferenceError, or a TypeError with no network
 * cause) non-recoverable, since retrying a bug cannot fix it; anything else, including a thrown
 * non-Error value, recoverable.
 */
export function createClassifier(rules: readonly ClassifierRule[] = []): Classifier {
  return (error) => {
    const base = describe(error);
    for (const rule of rules) {
      if (rule.match(error)) return { ...base, category: rule.category };
    }
    return { ...base, category: defaultCategory(error) };
  };
}

export const classify: Classifier = createClassifier();

function defaultCategory(error: unknown): FailureCategory {
  if (isRateLimitedError(error)) return 'rate_limited';
  if (isInvalidConfigError(error)) return 'non_recoverable';
  if (
    isBreakerOpenError(error) ||
    isTimeoutError(error) ||
    isBulkheadFullError(error) ||
    isAbortedError(error) ||
    isInjectedFaultError(error) ||
    isHttpTimeoutError(error)
  ) {
    return 'recoverable';
  }
  if (isHttpStatusError(error)) return classifyStatus(error.status) ?? 'non_recoverable';
  if (isHttpRequestError(error)) return error.category;
  const own = field(error, 'category');
  if (typeof own === 'string' && (failureCategories as readonly string[]).includes(own)) {
    return own as FailureCategory;
  }
  const status = statusOf(error);
  if (status !== undefined) {
    const byStatus = classifyStatus(status);
    if (byStatus) return byStatus;
  }
  for (const link of causeChain(error)) {
    const code = field(link, 'code');
    if (typeof code === 'string' && (recoverableCodes.has(code) || code.startsWith('UND_ERR'))) {
      return 'recoverable';
    }
    const name = field(link, 'name');
    if (name === 'AbortError' || name === 'TimeoutError') return 'recoverable';
  }
  if (error instanceof SyntaxError || error instanceof ReferenceError) return 'non_recoverable';
  if (error instanceof TypeError && field(error, 'cause') === undefined) return 'non_recoverable';
  return 'recoverable';
}

function describe(error: unknown): Omit<Classification, 'category'> {
  const code = firstCode(error);
  const status = statusOf(error);
  const retryAfterMs = retryAfterOf(error);
  return {
    message: messageOf(error),
    ...(code === undefined ? {} : { code }),
    ...(status === undefined ? {} : { status }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  if (error === undefined || error === null || typeof error !== 'object') return String(error);
  try {
    return JSON.stringify(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

function statusOf(error: unknown): number | undefined {
  for (const candidate of [
    field(error, 'status'),
    field(error, 'statusCode'),
    field(field(error, 'response'), 'status'),
  ]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 100) {
      return candidate;
    }
  }
  return undefined;
}

function retryAfterOf(error: unknown): number | undefined {
  const own = field(error, 'retryAfterMs');
  if (typeof own === 'number' && Number.isFinite(own) && own >= 0) return own;
  if (isHttpStatusError(error)) return parseRetryAfter(error.retryAfter);
  const headers = field(error, 'headers') ?? field(field(error, 'response'), 'headers');
  if (headers && typeof (headers as { get?: unknown }).get === 'function') {
    return parseRetryAfter((headers as { get(name: string): unknown }).get('retry-after'));
  }
  return parseRetryAfter(field(headers, 'retry-after'));
}

function firstCode(error: unknown): string | undefined {
  for (const link of causeChain(error)) {
    const code = field(link, 'code');
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function* causeChain(error: unknown): Generator<unknown> {
  let current = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    yield current;
    current = field(current, 'cause');
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
