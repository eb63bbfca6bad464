/**
 * Makes a call's arguments cross to the store thread as the store would have read them here.
 *
 * postMessage copies with the structured clone algorithm, which differs from the JSON the store
 * writes in two ways that matter: it ignores `toJSON` (a Buffer, a Decimal or a Luxon date would
 * be stored as their innards instead of what JSON.stringify makes of them), and it throws on
 * functions and symbols, where the store refuses them with an InvalidConfigError naming the
 * field. So each argument is walked first: a value with `toJSON` is replaced by what it returns
 * (copying only the containers on its path), and a function, symbol or cycle makes the call
 * `unsendable`, for the caller to find out what the store would say (threaded-store.ts).
 */
export const unsendable = Symbol('unsendable');

export function prepareArgs(args: readonly unknown[]): readonly unknown[] | typeof unsendable {
  let result = args;
  for (let i = 0; i < args.length; i++) {
    const prepared = prepare(args[i], String(i), []);
    if (prepared === unsendable) return unsendable;
    if (prepared !== args[i]) {
      if (result === args) result = args.slice();
      (result as unknown[])[i] = prepared;
    }
  }
  return result;
}

function prepare(value: unknown, key: string, ancestors: object[]): unknown {
  switch (typeof value) {
    case 'function':
    case 'symbol':
      return unsendable;
    case 'object':
      return value === null ? value : prepareObject(value, key, ancestors);
    default:
      return value;
  }
}

function prepareObject(value: object, key: string, ancestors: object[]): unknown {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    let replaced: unknown;
    try {
      replaced = (toJSON as (key: string) => unknown).call(value, key);
    } catch {
      return unsendable; // the store names the field and keeps the cause
    }
    if (replaced !== value) return prepare(replaced, key, ancestors);
  }
  if (ancestors.includes(value)) return unsendable;
  ancestors.push(value);
  let result: object = value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const prepared = prepare(value[i], String(i), ancestors);
      if (prepared === unsendable) return unsendable;
      if (prepared !== value[i]) {
        if (result === value) result = value.slice();
        (result as unknown[])[i] = prepared;
      }
    }
  } else if (value instanceof Map || value instanceof Set) {
    // cloned as they are; the store refuses them there, naming the field
  } else {
    for (const name of Object.keys(value)) {
      const field = (value as Record<string, unknown>)[name];
      const prepared = prepare(field, name, ancestors);
      if (prepared === unsendable) return unsendable;
      if (prepared !== field) {
        if (result === value) result = { ...value };
        (result as Record<string, unknown>)[name] = prepared;
      }
    }
  }
  ancestors.pop();
  return result;
}
