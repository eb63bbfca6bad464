import { failureCategories, InvalidConfigError, type FailureCategory } from '../../errors/index.js';
import { itemStates, type ItemState } from '../item-state.js';
import {
  runStatuses,
  type DeadLetterFilter,
  type HealthSample,
  type ItemFilter,
  type PageRequest,
  type RunFilter,
  type RunStatus,
} from '../records.js';
import {
  pageLimit,
  requireArray,
  requireId,
  requireInteger,
  requireObject,
  requireOneOf,
  requireTime,
} from '../validate.js';

/**
 * Checks and normalizes the query-side arguments (filters, pages, samples). Array filters stay
 * arrays (bound as JSON on SQLite, as arrays on PostgreSQL); absent filters become null.
 */

export interface NormalizedItemFilter {
  readonly runId: string;
  readonly stage: string | null;
  readonly states: readonly ItemState[] | null;
  readonly ids: readonly string[] | null;
  readonly parentId: string | null;
  readonly degraded: boolean | null;
}

export function normalizeItemFilter(filter: unknown): NormalizedItemFilter {
  const f = requireObject<ItemFilter>(filter, 'filter');
  if (f.degraded !== undefined && typeof f.degraded !== 'boolean') {
    throw new InvalidConfigError('filter.degraded', 'a boolean', f.degraded);
  }
  return {
    runId: requireId(f.runId, 'filter.runId'),
    stage: f.stage === undefined ? null : requireId(f.stage, 'filter.stage'),
    states:
      f.states === undefined
        ? null
        : requireArray<unknown>(f.states, 'filter.states').map((s, i) =>
            requireOneOf(s, `filter.states[${i}]`, itemStates),
          ),
    ids: normalizeIds(f.ids, 'filter.ids'),
    parentId: f.parentId === undefined ? null : requireId(f.parentId, 'filter.parentId'),
    degraded: f.degraded ?? null,
  };
}

export interface NormalizedDeadLetterFilter {
  readonly runId: string;
  readonly stage: string | null;
  readonly category: FailureCategory | null;
  readonly ids: readonly string[] | null;
}

export function normalizeDeadLetterFilter(filter: unknown): NormalizedDeadLetterFilter {
  const f = requireObject<DeadLetterFilter>(filter, 'filter');
  return {
    runId: requireId(f.runId, 'filter.runId'),
    stage: f.stage === undefined ? null : requireId(f.stage, 'filter.stage'),
    category:
      f.category === undefined
        ? null
        : requireOneOf(f.category, 'filter.category', failureCategories),
    ids: normalizeIds(f.ids, 'filter.ids'),
  };
}

function normalizeIds(ids: unknown, field: string): readonly string[] | null {
  if (ids === undefined) return null;
  return requireArray<unknown>(ids, field).map((id, i) => requireId(id, `${field}[${i}]`));
}

export interface NormalizedRunFilter {
  readonly status: RunStatus | null;
  readonly pipeline: string | null;
}

export function normalizeRunFilter(filter: unknown): NormalizedRunFilter {
  const f = filter === undefined ? {} : requireObject<RunFilter>(filter, 'filter');
  return {
    status: f.status === undefined ? null : requireOneOf(f.status, 'filter.status', runStatuses),
    pipeline: f.pipeline === undefined ? null : requireId(f.pipeline, 'filter.pipeline'),
  };
}

/**
 * A page request with its cursor decoded. Cursors are opaque to callers: base64url JSON arrays
 * of the sort key of the last row, checked against the shape the query expects.
 */
export interface NormalizedPage<K> {
  readonly limit: number;
  readonly after: K | null;
}

export function normalizePage<K extends readonly unknown[]>(
  page: unknown,
  isKey: (value: unknown[]) => value is unknown[] & K,
): NormalizedPage<K> {
  const p = page === undefined ? {} : requireObject<PageRequest>(page, 'page');
  const limit = pageLimit(p.limit, 'page.limit');
  if (p.after === undefined) return { limit, after: null };
  let key: unknown;
  try {
    key =
      typeof p.after === 'string' ? JSON.parse(Buffer.from(p.after, 'base64url').toString()) : null;
  } catch {
    key = null;
  }
  if (!Array.isArray(key) || !isKey(key)) {
    throw new InvalidConfigError('page.after', 'the `next` cursor of a previous page', p.after);
  }
  return { limit, after: key };
}

export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export const isStringPair = (v: unknown[]): v is [string, string] =>
  v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';

export const isTimeAndId = (v: unknown[]): v is [number, string] =>
  v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string';

export const isSeq = (v: unknown[]): v is [number] => v.length === 1 && Number.isSafeInteger(v[0]);

export function normalizeHealthSample(sample: unknown): HealthSample {
  const s = requireObject<HealthSample>(sample, 'sample');
  const count = (name: keyof HealthSample) => requireInteger(s[name], `sample.${name}`, 0);
  if (typeof s.durationMs !== 'number' || !Number.isFinite(s.durationMs) || s.durationMs < 0) {
    throw new InvalidConfigError(
      'sample.durationMs',
      'a number of milliseconds >= 0',
      s.durationMs,
    );
  }
  return {
    service: requireId(s.service, 'sample.service'),
    bucketStart: requireTime(s.bucketStart, 'sample.bucketStart'),
    calls: count('calls'),
    failures: count('failures'),
    slowCalls: count('slowCalls'),
    rejected: count('rejected'),
    durationMs: s.durationMs,
  };
}

/** The cursor that continues an item listing right after `item` (stage, then ID order). */
export function itemCursor(item: { readonly stage: string; readonly id: string }): string {
  return encodeCursor([item.stage, item.id]);
}
