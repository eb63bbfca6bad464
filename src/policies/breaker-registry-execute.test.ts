import { describe, expect, it } from 'vitest';
import { isBreakerOpenError } from '../errors/index.js';
import { breakerRegistry } from './breaker-registry.js';

/** BreakerRegistry.execute: for(service, key).execute(fn) with the lookup's clock reading shared. */

function setup() {
  const clock = { t: 0, reads: 0, now: () => (clock.reads++, clock.t) };
  const registry = breakerRegistry({
    breaker: {
      window: { kind: 'count', size: 4 },
      minimumCalls: 2,
      openDurationMs: 1000,
      slowCallDurationMs: 50,
      slowCallRateThreshold: 1,
    },
    idleMs: 10_000,
    clock,
  });
  return { clock, registry };
}

describe('breakerRegistry.execute', () => {
  it('runs fn under the key breaker, reading the clock once less than for().execute', async () => {
    const { clock, registry } = setup();
    await expect(registry.execute('images', 'a', ({ attempt }) => `ok ${attempt}`)).resolves.toBe(
      'ok 1',
    );
    const breaker = registry.get('images', 'a')!;
    expect(breaker.metrics()).toMatchObject({ calls: 1 });
    clock.reads = 0;
    await registry.execute('images', 'a', () => 'ok');
    const viaExecute = clock.reads;
    clock.reads = 0;
    await registry.for('images', 'a').execute(() => 'ok');
    expect(viaExecute).toBe(2);
    expect(clock.reads).toBe(3);
  });

  it('keeps each service apart when calls alternate between services', async () => {
    const { registry } = setup();
    const names: string[] = [];
    const seen = { images: 0, llm: 0 };
    for (const service of ['images', 'llm', 'images', 'images', 'llm'] as const) {
      await registry.execute(service, 'same-host', () => seen[service]++);
    }
    for (const service of registry.services()) {
      const breaker = registry.get(service, 'same-host')!;
      names.push(`${breaker.name}=${breaker.metrics().calls}`);
    }
    expect(names).toEqual(['images:same-host=3', 'llm:same-host=2']);
    expect(seen).toEqual({ images: 3, llm: 2 });
  });

  it('times the call from the lookup and opens, then rejects, like the breaker itself', async () => {
    const { clock, registry } = setup();
    for (let i = 0; i < 2; i++) {
      await registry.execute('images', 'slow.example.com', () => {
        clock.t += 50; // exactly the threshold: slow
      });
    }
    const breaker = registry.get('images', 'slow.example.com')!;
    expect(breaker.metrics()).toMatchObject({ calls: 2, slowCalls: 2 });
    expect(breaker.state).toBe('OPEN');
    clock.t += 400;
    const error = await registry
      .execute('images', 'slow.example.com', () => 'no')
      .catch((e: unknown) => e);
    expect(isBreakerOpenError(error) && error).toMatchObject({
      breaker: 'images:slow.example.com',
      retryAfterMs: 600,
    });
    expect(registry.get('images', 'other')).toBeUndefined();
  });

  it("uses the breaker's own clock when its settings give it another one", async () => {
    const registryClock = { t: 0, now: () => registryClock.t };
    const own = { t: 0, now: () => own.t };
    const registry = breakerRegistry({
      breaker: () => ({ clock: own, slowCallDurationMs: 10, minimumCalls: 1 }),
      clock: registryClock,
    });
    own.t = 5000; // far ahead of the registry's: its reading as the start would make the call slow
    await registry.execute('api', 'k', () => {
      own.t += 5;
    });
    expect(registry.get('api', 'k')!.metrics()).toMatchObject({ calls: 1, slowCalls: 0 });
  });

  it('rejects with AbortedError without running when the signal has already aborted', async () => {
    const { registry } = setup();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    let ran = false;
    const error = await registry
      .execute('images', 'a', () => (ran = true), controller.signal)
      .catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(error).toMatchObject({ code: 'SLUICE_ABORTED' });
  });
});
