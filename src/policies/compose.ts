import { attemptContext } from './attempt-context.js';
import type { ExecuteContext, Policy } from './policy.js';

/**
 * Wraps policies around each other, the first outermost: `compose(a, b, c).execute(fn)` runs
 * `a.execute(() => b.execute(() => c.execute(fn)))`, each layer handing the signal it was given
 * (or made, like a timeout) to the next. The attempt number a retry layer reports flows inward,
 * so `fn` sees the retry's attempt even through a breaker and a timeout.
 *
 * The documented default order for a service (see docs/policies.md and `servicePolicy`) is
 * rate limit -> total timeout -> retry -> circuit breaker -> bulkhead -> attempt timeout.
 */
export function compose(...policies: readonly Policy[]): Policy {
  if (policies.length === 1) return policies[0]!;
  return new ComposedPolicy(policies);
}

class ComposedPolicy implements Policy {
  readonly #policies: readonly Policy[];

  constructor(policies: readonly Policy[]) {
    this.#policies = [...policies];
  }

  execute<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    const policies = this.#policies;
    if (policies.length === 0) {
      return Promise.resolve().then(() => fn(attemptContext(signal, 1)));
    }
    const layer = (index: number, attempt: number, context: ExecuteContext): PromiseLike<T> | T => {
      // The innermost retry that reported a later attempt wins; 1 means "not a retry layer".
      const seen = context.attempt > 1 ? context.attempt : attempt;
      if (index === policies.length) {
        return fn(seen === context.attempt ? context : attemptContext(context.signal, seen));
      }
      return policies[index]!.execute((inner) => layer(index + 1, seen, inner), context.signal);
    };
    return policies[0]!.execute((context) => layer(1, 1, context), signal);
  }
}
