import { expect, it, vi } from 'vitest';
import { EventEmitter } from './event.js';
import { sleep } from './sleep.js';

it('delivers to listeners until disposed, and survives a throwing listener', () => {
  const emitter = new EventEmitter<number>();
  const seen: number[] = [];
  const handle = emitter.event((n) => seen.push(n));
  emitter.event(() => {
    throw new Error('listener bug');
  });
  // Capture the asynchronous report instead of letting it reach vitest as an uncaught exception
  // (which fails the whole run even though every test passed).
  const deferred: (() => void)[] = [];
  vi.stubGlobal('queueMicrotask', (task: () => void) => deferred.push(task));
  try {
    emitter.fire(1);
    handle.dispose();
    emitter.fire(2);
  } finally {
    vi.unstubAllGlobals();
  }
  expect(seen).toEqual([1]);
  expect(emitter.size).toBe(1);
  expect(deferred).toHaveLength(2);
  expect(deferred[0]).toThrow('listener bug');
});

it('sleeps, and stops sleeping on abort without leaving a timer', async () => {
  vi.useFakeTimers();
  try {
    const done = vi.fn();
    void sleep(1000).then(done);
    await vi.advanceTimersByTimeAsync(999);
    expect(done).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toHaveBeenCalled();

    const controller = new AbortController();
    const pending = sleep(1000, controller.signal);
    controller.abort(new Error('shutdown'));
    await expect(pending).rejects.toMatchObject({
      code: 'SLUICE_ABORTED',
      message: 'aborted: shutdown',
    });
    expect(vi.getTimerCount()).toBe(0);
    await expect(sleep(10, controller.signal)).rejects.toMatchObject({ code: 'SLUICE_ABORTED' });
  } finally {
    vi.useRealTimers();
  }
});
