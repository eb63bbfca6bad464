/**
 * What kind of failure something is, which decides what Sluice does next:
 * - recoverable: try again later (network errors, 5xx, timeouts);
 * - rate_limited: try again after the service's own delay (429, Retry-After);
 * - non_recoverable: retrying cannot help (4xx other than 408/425/429, bad input); dead-letter it;
 * - degraded: the call produced a partial or fallback result; keep it, flag the item.
 */
export type FailureCategory = 'recoverable' | 'rate_limited' | 'non_recoverable' | 'degraded';

export const failureCategories: readonly FailureCategory[] = Object.freeze([
  'recoverable',
  'rate_limited',
  'non_recoverable',
  'degraded',
]);
