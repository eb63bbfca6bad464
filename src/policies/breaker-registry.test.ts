import { describe, expect, it } from 'vitest';
import { HttpStatusError, isBreakerOpenError } from '../errors/index.js';
import { breakerRegistry, type BreakerRegistryOptions } from './breaker-registry.js';
import type { CircuitBreaker } from './circuit-breaker.js';

function setup(options: BreakerRegistryOptions = {}) {
  const clock = { t: 0, now: () => clock.t };
  const registry = breakerRegistry({
    breaker: { window: { kind: 'count', size: 2 }, minimumCalls: 1, openDurationMs: 1000 },
    idleMs: 10_000,
    clock,
    ...options,
  });
  return { clock, registry };
}

const fail = (b: CircuitBreaker) =>
  b.execute(() => Promise.reject(new HttpStatusError(503))).catch((e: unknown) => e);

describe('breakerRegistry', () => {
  it('keeps one breaker per service and key, named after both, on the registry clock', async () => {
    const { clock, registry } = setup();
    const a = registry.for('images', 'a.example.com');
    expect(registry.for('images', 'a.example.com')).toBe(a);
    expect(registry.for('images', 'b.example.com')).not.toBe(a);
    expect(registry.for('llm', 'a.example.com')).not.toBe(a);
    expect(a.name).toBe('images:a.example.com');
    await fail(a);
    const rejected = await fail(a);
    expect(isBreakerOpenError(rejected) && rejected.breaker).toBe('images:a.example.com');
    expect(registry.for('images', 'b.example.com').state).toBe('CLOSED');
    clock.t = 1000;
    expect(a.state).toBe('HALF_OPEN');
    expect(registry.services()).toEqual(['images', 'llm']);
    expect(registry.get('images', 'c.example.com')).toBeUndefined();
    expect(registry.get('images', 'a.example.com')).toBe(a);
    expect([...registry.entries('images')].map(([key]) => key)).toEqual([
      'a.example.com',
      'b.example.com',
    ]);
    expect([...registry.entries('nope')]).toEqual([]);
  });

  it('counts the breakers of each service by state', async () => {
    const { registry } = setup();
    await fail(registry.for('images', 'a'));
    await fail(registry.for('images', 'b'));
    registry.for('images', 'c');
    registry.for('images', 'd').isolate();
    registry.for('llm', 'x');
    expect(registry.stats('images')).toEqual({
      service: 'images',
      breakers: 4,
      states: { CLOSED: 1, OPEN: 2, HALF_OPEN: 0, FORCED_OPEN: 1, DISABLED: 0, METRICS_ONLY: 0 },
    });
    expect(registry.allStats().map((s) => [s.service, s.breakers, s.states.CLOSED])).toEqual([
      ['images', 4, 1],
      ['llm', 1, 1],
    ]);
    expect(registry.stats('nothing').breakers).toBe(0);
  });

  it('bounds the breakers of each service by count, evicting the least recently used', () => {
    const evicted: string[] = [];
    const { registry } = setup({
      maxKeysPerService: 2,
      onEvict: (b, service, key, reason) => evicted.push(`${service}/${key}/${reason}/${b.name}`),
    });
    registry.for('images', 'a');
    registry.for('images', 'b');
    registry.for('llm', 'a'); // another service: its own bound
    registry.for('images', 'a');
    registry.for('images', 'c');
    expect(evicted).toEqual(['images/b/capacity/images:b']);
    expect(registry.stats('images').breakers).toBe(2);
    expect(registry.stats('llm').breakers).toBe(1);
  });

  it('evicts breakers idle for longer than idleMs', () => {
    const evicted: string[] = [];
    const { clock, registry } = setup({ onEvict: (_, s, k, r) => evicted.push(`${s}/${k}/${r}`) });
    const a = registry.for('images', 'a');
    clock.t = 5000;
    registry.for('images', 'b');
    clock.t = 10_001;
    expect(registry.stats('images').breakers).toBe(1);
    expect(evicted).toEqual(['images/a/idle']);
    expect(registry.for('images', 'a')).not.toBe(a);
    clock.t = 100_000;
    expect(registry.sweep()).toBe(2);
  });

  it('takes per-service settings from a function and tells onCreate', async () => {
    const created: string[] = [];
    const { registry } = setup({
      breaker: (service) => ({ minimumCalls: 1, name: `${service}-breaker` }),
      onCreate: (b, service, key) => created.push(`${b.name} ${service} ${key}`),
    });
    const b = registry.for('llm', 'api');
    await fail(b);
    expect(b.state).toBe('OPEN');
    expect(created).toEqual(['llm-breaker llm api']);
  });

  it.each([
    [{ maxKeysPerService: 0 }, 'breakerRegistry.maxKeysPerService must be an integer >= 1, got 0'],
    [{ idleMs: -1 }, 'breakerRegistry.idleMs must be a number > 0 (Infinity for never), got -1'],
    [
      { idleMs: 500 },
      'breakerRegistry.idleMs must be >= the longest open duration (1000 ms), so an OPEN breaker is not forgotten, got 500',
    ],
    [
      { clock: Date },
      'breakerRegistry.clock must be an object with a now() method, got a function',
    ],
    [{ onCreate: 1 }, 'breakerRegistry.onCreate must be a function, got 1'],
    [{ onEvict: {} }, 'breakerRegistry.onEvict must be a function, got {}'],
    [
      { breaker: { failureRateThreshold: 2 } },
      'circuitBreaker.failureRateThreshold must be in (0, 1], got 2',
    ],
    [{ maxKeys: 5 }, /^breakerRegistry\.maxKeys must be absent/],
  ])('rejects %j at construction, naming the option', (bad, message) => {
    const clock = { now: () => 0 };
    expect(() =>
      breakerRegistry({ breaker: { openDurationMs: 1000 }, clock, ...(bad as object) }),
    ).toThrow(message);
  });
});
