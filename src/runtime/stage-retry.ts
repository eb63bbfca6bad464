import type { StageRetryOptions } from './stage.js';

/**
 * How long an item waits before its next attempt at a stage: exponential from `initialMs`
 * (default 1 s, factor 2, cap 5 min) with full jitter by default, so a burst of failures does
 * not come back as a burst.
 */
export function stageRetryDelay(
  backoff: StageRetryOptions['backoff'],
  attempt: number,
  random: () => number = Math.random,
): number {
  const initialMs = backoff?.initialMs ?? 1000;
  const factor = backoff?.factor ?? 2;
  const capMs = backoff?.capMs ?? 300_000;
  const base = Math.min(capMs, initialMs * factor ** Math.max(0, attempt - 1));
  switch (backoff?.jitter ?? 'full') {
    case 'none':
      return Math.round(base);
    case 'equal':
      return Math.round(base / 2 + random() * (base / 2));
    case 'full':
      return Math.round(random() * base);
  }
}
