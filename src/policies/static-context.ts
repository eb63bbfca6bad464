import { attemptContext } from './attempt-context.js';
import type { ExecuteContext } from './policy.js';

/**
 * The context for one call: shared when there is no caller signal (one never-aborted signal
 * instead of a fresh AbortController per call: creating one costs about 3 us in Node 20, more
 * than the policies' whole budget on the success path), else one small object.
 */
export function contextFor(signal: AbortSignal | undefined): ExecuteContext {
  return attemptContext(signal, 1);
}

/**
 * Runs `fn` and returns its promise itself when it is a native one (no extra promise, no extra
 * tick), turning a synchronous throw into a rejection: the fast path of a policy that admits a
 * call without waiting, cheaper than an `async` wrapper.
 */
export function invoke<T>(
  fn: (context: ExecuteContext) => PromiseLike<T> | T,
  context: ExecuteContext,
): Promise<T> {
  try {
    return Promise.resolve(fn(context));
  } catch (error) {
    // fn threw synchronously: pass on exactly what it threw, Error or not
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    return Promise.reject(error);
  }
}
