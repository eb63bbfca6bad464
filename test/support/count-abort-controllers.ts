/**
 * Test support for the lazy-signal guarantee: with fake timers on, replaces AbortController by a
 * subclass that counts constructions, and restores both after each test. Call it inside a
 * describe (or at file level); read the count with the returned function.
 */
import { afterEach, beforeEach, vi } from 'vitest';

export function countAbortControllers(): () => number {
  let created = 0;
  class CountingAbortController extends AbortController {
    constructor() {
      super();
      created++;
    }
  }
  beforeEach(() => {
    vi.useFakeTimers();
    created = 0;
    vi.stubGlobal('AbortController', CountingAbortController);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });
  return () => created;
}
