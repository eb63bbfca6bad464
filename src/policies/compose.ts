import { attemptContext } from './attempt-context.js';
import { withAttempt } from './context-state.js';
import type { ExecuteContext, Policy } from './policy.js';

/**
 * Wraps policies around each other, the first outermost: `compose(a, b, c).execute(fn)` runs
 * `a.execute(() => b.execute(() => c.execute(fn)))`, each layer handing the signal it was given
 * (or made, like a timeout) to the next. The attempt number a retry layer reports flows inward,
 * so `fn` sees the retry's attempt even through a breaker and a timeout.
 *
 * Inner layers are entered through `executeContext` when the policy has it (every built-in
 * policy on the success path does): the outer layer's context is handed over as it is instead of
 * its `signal`, so a timeout's lazily made signal is only created if `fn` (or a policy that has
 * to wait) reads it, not by the composition itself on every call.
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
    return policies[0]!.execute((context) => layer(policies, 1, 1, context, fn), signal);
  }

  executeContext<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    context: ExecuteContext,
  ): Promise<T> {
    const policies = this.#policies;
    if (policies.length === 0) return Promise.resolve().then(() => fn(context));
    return enter(policies[0]!, context, (inner) => layer(policies, 1, 1, inner, fn));
  }
}

/**
 * Runs layer `index` (the innermost `fn` past the last policy) in `context`, the context the
 * layer outside it handed over. `attempt` is the latest attempt number an outer retry reported:
 * the innermost retry that reported a later attempt wins; 1 means "not a retry layer". The
 * closures are anonymous on purpose: a named one costs a defineProperty per call under tsx.
 */
function layer<T>(
  policies: readonly Policy[],
  index: number,
  attempt: number,
  context: ExecuteContext,
  fn: (context: ExecuteContext) => PromiseLike<T> | T,
): PromiseLike<T> | T {
  const seen = context.attempt > 1 ? context.attempt : attempt;
  if (index === policies.length) return fn(withAttempt(context, seen));
  return enter(policies[index]!, context, (inner) => layer(policies, index + 1, seen, inner, fn));
}

function enter<T>(
  policy: Policy,
  context: ExecuteContext,
  fn: (context: ExecuteContext) => PromiseLike<T> | T,
): Promise<T> {
  return policy.executeContext !== undefined
    ? policy.executeContext(fn, context)
    : policy.execute(fn, context.signal);
}
