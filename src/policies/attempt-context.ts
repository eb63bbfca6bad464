/**
 * The context handed to `fn` when the caller gave no signal. Sharing one never-aborting signal
 * and one frozen first-attempt context keeps the success path of every policy free of
 * allocation (cockatiel does the same). The signal's listener limit is lifted because many
 * concurrent calls may legitimately listen on it at once (fetch does); listeners on a signal
 * that never fires are never called, so well-behaved code that removes them leaks nothing.
 */
import { setMaxListeners } from 'node:events';
import type { ExecuteContext } from './policy.js';

export const neverAbortedSignal: AbortSignal = new AbortController().signal;
setMaxListeners(0, neverAbortedSignal);

const firstAttemptNoSignal: ExecuteContext = Object.freeze({
  signal: neverAbortedSignal,
  attempt: 1,
});

/** The context of attempt `attempt` under `signal` (shared, not allocated, for 1 and none). */
export function attemptContext(signal: AbortSignal | undefined, attempt: number): ExecuteContext {
  if (signal === undefined) {
    return attempt === 1 ? firstAttemptNoSignal : { signal: neverAbortedSignal, attempt };
  }
  return { signal, attempt };
}
