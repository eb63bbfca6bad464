import { pino } from 'pino';
import { expect, it } from 'vitest';
import { createSqliteStore, type Store } from '../store/index.js';
import { describeSqlite } from '../testing/vitest/index.js';
import { Queue, queueRunId } from './queue.js';
import { QueueWorker } from './queue-worker.js';

const silent = pino({ level: 'silent' });

describeSqlite('job queue', (sqlite) => {
  const open = (): Promise<Store> => createSqliteStore({ path: sqlite().path });

  it('runs jobs by priority, dedupes by key, and honours delay', async () => {
    const store = await open();
    const queue = new Queue({ store, name: 'prio' });
    const order: string[] = [];
    await queue.enqueueMany([
      { type: 'email', payload: { to: 'low' }, options: { priority: 0 } },
      { type: 'email', payload: { to: 'high' }, options: { priority: 10 } },
      { type: 'email', payload: { to: 'mid' }, options: { priority: 5 } },
    ]);
    expect(await queue.enqueue('email', { to: 'dup' }, { dedupeKey: 'k1' })).toEqual({
      id: 'k1',
      created: true,
    });
    expect(await queue.enqueue('email', { to: 'dup-again' }, { dedupeKey: 'k1' })).toEqual({
      id: 'k1',
      created: false,
    });
    await queue.enqueue('email', { to: 'later' }, { delayMs: 60_000, priority: 100 });

    const worker = new QueueWorker({ store, queue: 'prio', logger: silent, pollMs: 10 });
    let resolveDone: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    worker.handle<{ to: string }>('email', (payload) => {
      order.push(payload.to);
      if (order.length === 4) resolveDone();
    });
    const running = worker.start();
    await done;
    await worker.stop();
    expect((await running).status).toBe('stopped');
    expect(order).toEqual(['high', 'mid', 'low', 'dup']);
    const counts = (await store.counts(queueRunId('prio'))).email;
    expect(counts).toMatchObject({ completed: 4, pending: 1 });
    await store.close();
  });

  it('dead-letters a job after its own maxAttempts', async () => {
    const store = await open();
    const queue = new Queue({ store, name: 'dlq' });
    await queue.enqueue('charge', { amount: 5 }, { maxAttempts: 2, dedupeKey: 'c1' });
    const worker = new QueueWorker({ store, queue: 'dlq', logger: silent, pollMs: 5 });
    let attempts = 0;
    let resolveDone: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    worker.handle(
      'charge',
      () => {
        attempts += 1;
        if (attempts === 2) resolveDone();
        throw new Error('card processor down');
      },
      { retry: { maxAttempts: 10, backoff: { initialMs: 1, jitter: 'none' } } },
    );
    const running = worker.start();
    await done;
    await worker.stop();
    await running;
    expect(attempts).toBe(2);
    const dead = await store.deadLetters({ runId: queueRunId('dlq') });
    expect(dead.items).toMatchObject([{ id: 'c1', attempt: 2, error: 'card processor down' }]);
    await store.close();
  });

  it('refuses bad jobs naming the field, and payloads that are not JSON', async () => {
    const store = await open();
    const queue = new Queue({ store, name: 'bad' });
    await expect(queue.enqueue('has space', {})).rejects.toThrow('job.type must be a job type');
    await expect(queue.enqueue('t', {}, { priority: 1.5 })).rejects.toThrow(
      'job.options.priority must be an integer, got 1.5',
    );
    await expect(queue.enqueue('t', {}, { maxAttempts: 0 })).rejects.toThrow(
      'job.options.maxAttempts must be an integer >= 1, got 0',
    );
    await expect(queue.enqueue('t', { when: 10n })).rejects.toThrow(/JSON/);
    await expect(queue.enqueue('t', { fn: () => 1 }, { dedupeKey: 'f' })).rejects.toThrow(/"f"|f/);
    expect(() => new Queue({ store, name: 'bad name' })).toThrow('queue.name must be');
    expect((await store.counts(queueRunId('bad'))).t).toBeUndefined();
    await store.close();
  });
});
