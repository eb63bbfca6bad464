import { requireDuration, requireObject, requireTime } from '../validate.js';

/** The cutoff of Store.prune: runs last updated before it go. */
export function normalizePrune(options: unknown, now: unknown): number {
  const o = requireObject<{ olderThanMs?: unknown }>(options, 'options');
  const olderThanMs = requireDuration(o.olderThanMs, 'options.olderThanMs');
  return Math.max(0, requireTime(now, 'now') - olderThanMs);
}
