import { attemptContext, neverAbortedSignal } from './attempt-context.js';
import { withAttempt } from './context-state.js';
import {
  declined,
  inlineEnter,
  inlineExit,
  inlineInner,
  isInlinePolicy,
  type InlinePolicy,
} from './inline.js';
import type { ExecuteContext, Policy } from './policy.js';

/**
 * Wraps policies around each other, the first outermost: `compose(a, b, c).execute(fn)` runs
 * `a.execute(() => b.execute(() => c.execute(fn)))`, each layer handing the signal it was given
 * (or made, like a timeout) to the next. The attempt number a retry layer reports flows inward,
 * so `fn` sees the retry's attempt even through a breaker and a timeout.
 *
 * How, cheaply. Consecutive built-in policies run by their inline steps (see inline.ts): their
 * `enter`s in order, `fn` once, their `exit`s in reverse, all in one async frame, instead of one
 * async frame per layer. A policy without inline steps, or one that has to wait (a full
 * bulkhead's queue, a limiter out of tokens), is nested as usual, through `executeContext` when
 * it has it: the outer context is handed over as it is rather than its `signal`, so a timeout's
 * lazily made signal is only created if `fn` (or a policy that waits) reads it.
 *
 * The documented default order for a service (see docs/policies.md and `servicePolicy`) is
 * rate limit -> total timeout -> retry -> circuit breaker -> bulkhead -> attempt timeout.
 */
export function compose(...policies: readonly Policy[]): Policy {
  if (policies.length === 1) return policies[0]!;
  return new ComposedPolicy(policies);
}

/** The policies of a composition, and which of them can run inline. */
interface Stack {
  readonly policies: readonly Policy[];
  readonly inline: readonly (InlinePolicy | undefined)[];
}

class ComposedPolicy implements Policy {
  readonly #stack: Stack;

  constructor(policies: readonly Policy[]) {
    const list = [...policies];
    this.#stack = {
      policies: list,
      inline: list.map((policy) => (isInlinePolicy(policy) ? policy : undefined)),
    };
  }

  execute<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.executeContext(fn, attemptContext(signal, 1));
  }

  executeContext<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    context: ExecuteContext,
  ): Promise<T> {
    const stack = this.#stack;
    if (stack.policies.length === 0) return Promise.resolve().then(() => fn(context));
    return from(stack, 0, context, fn);
  }
}

/** Runs layers `index`.. (at least one) around `fn`, in `context`. */
function from<T>(
  stack: Stack,
  index: number,
  context: ExecuteContext,
  fn: (context: ExecuteContext) => PromiseLike<T> | T,
): Promise<T> {
  return stack.inline[index] !== undefined
    ? runInline(stack, index, context, fn)
    : nest(stack, index, context, fn);
}

/**
 * Runs layer `index` (the innermost `fn` past the last policy) in `context`, the context the
 * layer outside it handed over. `attempt` is the latest attempt number an outer retry reported:
 * the innermost retry that reported a later attempt wins; 1 means "not a retry layer" (a policy
 * outside compose's knowledge hands its `fn` attempt 1).
 */
function layer<T>(
  stack: Stack,
  index: number,
  attempt: number,
  context: ExecuteContext,
  fn: (context: ExecuteContext) => PromiseLike<T> | T,
): PromiseLike<T> | T {
  const seen = context.attempt > 1 ? context.attempt : attempt;
  if (index === stack.policies.length) return fn(withAttempt(context, seen));
  return from(stack, index, withAttempt(context, seen), fn);
}

/**
 * Runs layer `index` nested: the policy's own `executeContext` (or `execute`) around the layers
 * inside it. The closures are anonymous on purpose: a named one costs a defineProperty per call
 * under tsx.
 */
function nest<T>(
  stack: Stack,
  index: number,
  context: ExecuteContext,
  fn: (context: ExecuteContext) => PromiseLike<T> | T,
): Promise<T> {
  const policy = stack.policies[index]!;
  const attempt = context.attempt;
  return policy.executeContext !== undefined
    ? policy.executeContext((inner) => layer(stack, index + 1, attempt, inner, fn), context)
    : policy.execute((inner) => layer(stack, index + 1, attempt, inner, fn), callerSignal(context));
}

/** The signal to hand a policy's `execute`: none rather than the shared never-aborted one. */
function callerSignal(context: ExecuteContext): AbortSignal | undefined {
  const signal = context.signal;
  return signal === neverAbortedSignal ? undefined : signal;
}

/**
 * Runs layers `start`.. by their inline steps while they have them and admit the call at once,
 * then the rest nested (or `fn`), then the steps' exits innermost first. A throwing `enter`
 * refuses the call: the layers already entered exit with its error, as if it had rejected.
 */
async function runInline<T>(
  stack: Stack,
  start: number,
  context: ExecuteContext,
  fn: (context: ExecuteContext) => PromiseLike<T> | T,
): Promise<T> {
  const { inline, policies } = stack;
  const end = policies.length;
  // Per entered layer: the context it was entered in and its ticket.
  const frames: unknown[] = new Array<unknown>(2 * (end - start));
  let entered = 0;
  let failed = false;
  let outcome: unknown;
  try {
    let index = start;
    for (; index < end; index++) {
      const policy = inline[index];
      if (policy === undefined) break;
      const ticket = policy[inlineEnter](context);
      if (ticket === declined) break;
      frames[2 * entered] = context;
      frames[2 * entered + 1] = ticket;
      entered++;
      context = policy[inlineInner](ticket, context);
    }
    outcome = await (index === end ? fn(context) : nest(stack, index, context, fn));
  } catch (error) {
    failed = true;
    outcome = error;
  }
  for (let at = entered - 1; at >= 0; at--) {
    const index = start + at;
    const outer = frames[2 * at] as ExecuteContext;
    try {
      const result = inline[index]![inlineExit](
        frames[2 * at + 1],
        outer,
        failed,
        outcome,
        failed ? (again: ExecuteContext) => inside(stack, index + 1, again, fn) : noAgain,
      );
      outcome = failed && result instanceof Promise ? await result : result;
      failed = false;
    } catch (error) {
      failed = true;
      outcome = error;
    }
  }
  if (failed) throw outcome;
  return outcome as T;
}

/** Everything inside layer `index - 1` once more (a retry's next attempt), as a promise. */
function inside<T>(
  stack: Stack,
  index: number,
  context: ExecuteContext,
  fn: (context: ExecuteContext) => PromiseLike<T> | T,
): Promise<T> {
  try {
    return Promise.resolve(layer(stack, index, context.attempt, context, fn));
  } catch (error) {
    // fn threw synchronously: pass on exactly what it threw, Error or not
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    return Promise.reject(error);
  }
}

function noAgain(): Promise<never> {
  return Promise.reject(new Error('inline exit called again on a success'));
}
