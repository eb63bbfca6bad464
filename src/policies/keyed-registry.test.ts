import { afterEach, describe, expect, it, vi } from 'vitest';
import { keyedRegistry, type EvictionReason, type KeyedRegistryOptions } from './keyed-registry.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function setup(options: Partial<KeyedRegistryOptions<{ key: string; n: number }>> = {}) {
  const clock = { t: 0, now: () => clock.t };
  let made = 0;
  const evicted: [string, number, EvictionReason][] = [];
  const registry = keyedRegistry({
    create: (key) => ({ key, n: ++made }),
    clock,
    onEvict: (key, value, reason) => evicted.push([key, value.n, reason]),
    ...options,
  });
  return { clock, registry, evicted };
}

describe('keyedRegistry', () => {
  it('creates an instance per key on first use and returns it after', () => {
    const { registry } = setup();
    const a = registry.for('a');
    expect(registry.for('a')).toBe(a);
    expect(registry.for('b')).not.toBe(a);
    expect(registry.size).toBe(2);
  });

  it('evicts the least recently used key when over maxKeys', () => {
    const { registry, evicted } = setup({ maxKeys: 3 });
    registry.for('a');
    registry.for('b');
    registry.for('c');
    registry.for('a'); // a is now the most recently used; b the least
    registry.for('d');
    expect(evicted).toEqual([['b', 2, 'capacity']]);
    expect([...registry].map(([k]) => k)).toEqual(['c', 'a', 'd']);
    expect(registry.for('b').n).toBe(5); // a new instance
    expect(evicted.at(-1)).toEqual(['c', 3, 'capacity']);
  });

  it('evicts an instance idle for longer than idleMs, not one idle exactly that long', () => {
    const { clock, registry, evicted } = setup({ idleMs: 1000 });
    const a = registry.for('a');
    clock.t = 1000;
    expect(registry.for('a')).toBe(a); // idle exactly 1000 ms: kept, and now used again
    clock.t = 2001;
    expect(registry.get('a')).toBeUndefined();
    expect(evicted).toEqual([['a', 1, 'idle']]);
    expect(registry.for('a')).not.toBe(a);
  });

  it('drains idle instances as new keys arrive, without timers', () => {
    const { clock, registry, evicted } = setup({ idleMs: 100 });
    registry.for('old1');
    registry.for('old2');
    registry.for('old3');
    clock.t = 200;
    registry.for('new1'); // sweeps two idle entries from the front
    expect(evicted.map(([k]) => k)).toEqual(['old1', 'old2']);
    registry.for('new2');
    expect(evicted.map(([k]) => k)).toEqual(['old1', 'old2', 'old3']);
    expect(registry.size).toBe(2);
  });

  it('holds 100,000 distinct keys in bounded memory, by count and by idle time', () => {
    const byCount = setup({ maxKeys: 1000, onEvict: undefined });
    for (let i = 0; i < 100_000; i++) byCount.registry.for(`host-${i}`);
    expect(byCount.registry.size).toBe(1000);

    const byIdle = setup({ maxKeys: 1_000_000, idleMs: 100, onEvict: undefined });
    let peak = 0;
    for (let i = 0; i < 100_000; i++) {
      byIdle.clock.t = i; // one new key per millisecond
      byIdle.registry.for(`host-${i}`);
      peak = Math.max(peak, byIdle.registry.size);
    }
    expect(peak).toBeLessThanOrEqual(102);
  });

  it('get neither creates nor refreshes', () => {
    const { clock, registry } = setup({ idleMs: 100 });
    expect(registry.get('a')).toBeUndefined();
    expect(registry.size).toBe(0);
    const a = registry.for('a');
    clock.t = 60;
    expect(registry.get('a')).toBe(a);
    clock.t = 101;
    expect(registry.get('a')).toBeUndefined(); // last *use* was at 0
  });

  it('sweeps every idle instance on demand and iterates live ones oldest first', () => {
    const { clock, registry } = setup({ idleMs: 100 });
    registry.for('a');
    clock.t = 50;
    registry.for('b');
    registry.for('c');
    clock.t = 120;
    registry.for('b');
    expect([...registry].map(([k]) => k)).toEqual(['c', 'b']); // a was swept
    clock.t = 1000;
    expect(registry.sweep()).toBe(2);
    expect(registry.size).toBe(0);
  });

  it('deletes and clears, telling onEvict', () => {
    const { registry, evicted } = setup();
    registry.for('a');
    registry.for('b');
    expect(registry.delete('a')).toBe(true);
    expect(registry.delete('a')).toBe(false);
    registry.clear();
    expect(evicted).toEqual([
      ['a', 1, 'deleted'],
      ['b', 2, 'deleted'],
    ]);
    expect(registry.size).toBe(0);
  });

  it('survives a throwing onEvict and reports its error', () => {
    const reported: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => void reported.push(task));
    const { registry } = setup({
      maxKeys: 1,
      onEvict: () => {
        throw new Error('evict bug');
      },
    });
    registry.for('a');
    expect(registry.for('b').key).toBe('b');
    expect(registry.size).toBe(1);
    expect(reported).toHaveLength(1);
    expect(() => reported[0]!()).toThrow('evict bug');
  });

  it.each([
    [{ create: 1 }, 'keyedRegistry.create must be a function, got 1'],
    [{ maxKeys: 0 }, 'keyedRegistry.maxKeys must be an integer >= 1, got 0'],
    [{ idleMs: 0 }, 'keyedRegistry.idleMs must be a number > 0 (Infinity for never), got 0'],
    [
      { idleMs: Number.NaN },
      'keyedRegistry.idleMs must be a number > 0 (Infinity for never), got NaN',
    ],
    [
      { clock: { now: 5 } },
      'keyedRegistry.clock must be an object with a now() method, got {"now":5}',
    ],
    [{ onEvict: 'log' }, 'keyedRegistry.onEvict must be a function, got "log"'],
    [{ maxSize: 5 }, /^keyedRegistry\.maxSize must be absent \(not an option; known: create, /],
  ])('rejects %j, naming the option', (bad, message) => {
    expect(() => keyedRegistry({ create: () => 1, ...(bad as object) })).toThrow(message);
  });

  it('never evicts by idleness with idleMs Infinity', () => {
    const { clock, registry } = setup({ idleMs: Number.POSITIVE_INFINITY });
    const a = registry.for('a');
    clock.t = Number.MAX_SAFE_INTEGER;
    expect(registry.for('a')).toBe(a);
  });
});
