import fc from 'fast-check';
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

  it('keeps its order when an entry leaves from the middle', () => {
    const { registry } = setup();
    registry.for('a');
    registry.for('b');
    registry.for('c');
    registry.for('b'); // moves b from the middle to the end: a, c, b
    registry.delete('c');
    expect([...registry].map(([k]) => k)).toEqual(['a', 'b']);
    registry.for('d');
    registry.delete('a');
    expect([...registry].map(([k]) => k)).toEqual(['b', 'd']);
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

  it('agrees with a naive LRU model through uses, peeks, deletes, waits and sweeps', () => {
    type Op =
      | { type: 'for' | 'get' | 'delete'; key: string }
      | { type: 'wait'; ms: number }
      | { type: 'sweep' | 'iterate' };
    const key = fc.constantFrom('a', 'b', 'c', 'd');
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ type: fc.constant('for' as const), key }) },
      { weight: 2, arbitrary: fc.record({ type: fc.constant('get' as const), key }) },
      { weight: 1, arbitrary: fc.record({ type: fc.constant('delete' as const), key }) },
      {
        weight: 3,
        // Mostly short waits, so several keys stay live and get reordered; some past idleMs.
        arbitrary: fc.record({
          type: fc.constant('wait' as const),
          ms: fc.oneof({ weight: 3, arbitrary: fc.nat(15) }, { weight: 1, arbitrary: fc.nat(150) }),
        }),
      },
      { weight: 1, arbitrary: fc.constant({ type: 'sweep' as const }) },
      { weight: 2, arbitrary: fc.constant({ type: 'iterate' as const }) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 80 }), (max, ops) => {
        const { clock, registry, evicted } = setup({ maxKeys: max, idleMs: 100 });
        // The model: entries in order of last use, oldest first; and the eviction log.
        let model: { key: string; n: number; lastUsed: number }[] = [];
        const log: [string, number, EvictionReason][] = [];
        let made = 0;
        const expired = (e: { lastUsed: number }) => clock.t - e.lastUsed > 100;
        const remove = (e: (typeof model)[number], reason: EvictionReason) => {
          model = model.filter((m) => m !== e);
          log.push([e.key, e.n, reason]);
        };
        for (const o of ops) {
          const found = 'key' in o ? model.find((m) => m.key === o.key) : undefined;
          if (o.type === 'wait') {
            clock.t += o.ms;
          } else if (o.type === 'sweep' || o.type === 'iterate') {
            const gone = model.filter(expired);
            gone.forEach((e) => remove(e, 'idle'));
            if (o.type === 'sweep') expect(registry.sweep()).toBe(gone.length);
            else expect([...registry].map(([k]) => k)).toEqual(model.map((e) => e.key));
          } else if (o.type === 'delete') {
            if (found) remove(found, 'deleted');
            expect(registry.delete(o.key)).toBe(found !== undefined);
          } else if (o.type === 'get') {
            if (found && expired(found)) remove(found, 'idle');
            const live = found && !expired(found) ? found.n : undefined;
            expect(registry.get(o.key)?.n).toBe(live);
          } else if (o.type === 'for') {
            let n: number;
            if (found && !expired(found)) {
              found.lastUsed = clock.t;
              model = [...model.filter((m) => m !== found), found];
              n = found.n;
            } else {
              if (found) remove(found, 'idle');
              n = ++made;
              model.push({ key: o.key, n, lastUsed: clock.t });
              for (let i = 0; i < 2 && model[0] && expired(model[0]); i++) remove(model[0], 'idle');
              if (model.length > max) remove(model[0]!, 'capacity');
            }
            expect(registry.for(o.key).n).toBe(n);
          }
          expect(evicted).toEqual(log);
          expect(registry.size).toBe(model.length);
        }
        const live = model.filter((e) => !expired(e)).map((e) => e.key);
        expect([...registry].map(([k]) => k)).toEqual(live);
      }),
      { numRuns: 2000 },
    );
  });

  it('stays consistent when onEvict asks for the very key being replaced', () => {
    const clock = { t: 0, now: () => clock.t };
    let made = 0;
    const log: string[] = [];
    const registry = keyedRegistry<number>({
      create: () => ++made,
      idleMs: 10,
      clock,
      onEvict: (key, n, reason) => {
        log.push(`${key}${n} ${reason}`);
        if (reason === 'idle') registry.for(key); // re-creates it at once
      },
    });
    registry.for('a'); // a1
    registry.for('b'); // b2
    clock.t = 100;
    // a1 has expired: its onEvict makes a3 (whose insertion sweeps b2, whose onEvict makes b4);
    // then the outer call makes a5, which replaces a3.
    expect(registry.for('a')).toBe(5);
    expect(log).toEqual(['a1 idle', 'b2 idle', 'a3 deleted']);
    expect([...registry]).toEqual([
      ['b', 4],
      ['a', 5],
    ]);
    expect(registry.size).toBe(2);
  });

  it('stays consistent when onEvict re-enters the registry', () => {
    const clock = { t: 0, now: () => clock.t };
    const registry = keyedRegistry<number>({
      create: () => clock.t,
      idleMs: 10,
      clock,
      onEvict: (key) => {
        if (key === 'a') registry.delete('b'); // evicts the entry the sweep would visit next
      },
    });
    registry.for('a');
    registry.for('b');
    registry.for('c');
    clock.t = 100;
    expect(registry.sweep()).toBe(2); // a, then c (b went inside a's onEvict)
    expect(registry.size).toBe(0);
    registry.for('d');
    expect([...registry].map(([k]) => k)).toEqual(['d']);
  });
});
