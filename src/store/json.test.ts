import { describe, expect, it } from 'vitest';
import { isInvalidConfigError } from '../errors/index.js';
import { assertJsonSerializable, fromJson, toJson, toJsonOrNull } from './json.js';

function fieldOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (isInvalidConfigError(error)) return error.field;
    throw error;
  }
  return undefined;
}

describe('payload JSON', () => {
  it('serializes plain data as JSON.stringify does', () => {
    const value = { a: [1, 'b', null, true, { c: -0.5 }], 'd e': '', nested: { x: [] } };
    expect(toJson(value, 'v')).toBe(JSON.stringify(value));
    expect(fromJson(toJson(value, 'v'))).toEqual(value);
    expect(toJson(null, 'v')).toBe('null');
    expect(toJson('text', 'v')).toBe('"text"');
    expect(toJsonOrNull(undefined, 'v')).toBeNull();
    expect(fromJson(null)).toBeUndefined();
  });

  it('follows toJSON, and shared (non-cyclic) references are fine', () => {
    const shared = { s: 1 };
    expect(toJson({ at: new Date(86_400_000), a: shared, b: shared }, 'v')).toBe(
      '{"at":"1970-01-02T00:00:00.000Z","a":{"s":1},"b":{"s":1}}',
    );
    expect(toJson({ custom: { toJSON: () => ({ ok: 1 }) } }, 'v')).toBe('{"custom":{"ok":1}}');
  });

  const cyclic: unknown[] = [];
  cyclic.push({ back: cyclic });
  it.each([
    ['a function at the top', () => 1, 'input'],
    ['undefined at the top', undefined, 'input'],
    ['a symbol', { s: Symbol('x') }, 'input.s'],
    ['a bigint', [[1n]], 'input[0][0]'],
    ['NaN', { deep: { n: NaN } }, 'input.deep.n'],
    ['Infinity', [Infinity], 'input[0]'],
    ['a cycle', cyclic, 'input[0].back'],
    ['a Set', { s: new Set([1]) }, 'input.s'],
    [
      'a toJSON that throws',
      {
        t: {
          toJSON: () => {
            throw new Error('no');
          },
        },
      },
      'input.t',
    ],
    ['a toJSON returning a function', { t: { toJSON: () => () => 1 } }, 'input.t'],
    ['a key needing quotes', { 'a-b': () => 1 }, 'input["a-b"]'],
  ])('refuses %s, naming the path', (_, value, field) => {
    expect(fieldOf(() => assertJsonSerializable(value, 'input'))).toBe(field);
  });

  it('says what it expected and what it got', () => {
    expect(() => toJson({ n: 5n }, 'items["x"].input')).toThrow(
      'items["x"].input.n must be JSON-serializable data (no functions, symbols, bigints, cycles, NaN or Infinity, Maps or Sets, and not undefined), got 5n',
    );
  });
});
