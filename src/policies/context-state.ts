import { neverAbortedSignal } from './attempt-context.js';
import type { ExecuteContext } from './policy.js';

/**
 * Reading a context's state without creating its signal. A timeout hands `fn` a context whose
 * signal (an AbortController's, ~3 us to make in Node 20) is only created if someone reads
 * `context.signal`. Policies running inside it through `executeContext` (as compose calls them)
 * still have to know whether that signal is aborted before they start `fn`: such a context
 * answers through `[peekAborted]` instead, and `isContextAborted` asks it.
 */

/** On a context with a lazy signal: whether its signal is (or, once made, will be) aborted. */
export const peekAborted: unique symbol = Symbol('sluice.context.peekAborted');

interface Peekable {
  readonly [peekAborted]?: boolean;
}

/** Whether `context.signal` is aborted, without creating a lazy signal to find out. */
export function isContextAborted(context: ExecuteContext): boolean {
  const peeked = (context as Peekable)[peekAborted];
  if (peeked !== undefined) return peeked;
  // The shared never-aborted signal is the common case; its `aborted` getter is not free.
  const signal = context.signal;
  return signal !== neverAbortedSignal && signal.aborted;
}

/**
 * `context` with another attempt number, its signal still read lazily (compose uses it when an
 * inner layer that does not pass contexts through reports attempt 1 under an outer retry).
 */
class AttemptContext implements ExecuteContext {
  constructor(
    readonly outer: ExecuteContext,
    readonly attempt: number,
  ) {}

  get signal(): AbortSignal {
    return this.outer.signal;
  }

  get [peekAborted](): boolean {
    return isContextAborted(this.outer);
  }
}

export function withAttempt(context: ExecuteContext, attempt: number): ExecuteContext {
  return context.attempt === attempt ? context : new AttemptContext(context, attempt);
}
