import { InvalidConfigError } from '../errors/index.js';

/**
 * Payloads (item inputs and outputs, checkpoints, run options, breaker snapshots) are stored as
 * JSON text. `JSON.stringify` silently drops functions and symbols, turns NaN and Infinity into
 * null and Maps into `{}`, and throws an unhelpful TypeError on bigints and cycles; any of these
 * would store something other than what the caller handed us. So every payload is walked first,
 * and the first offending value is refused with an InvalidConfigError naming its exact path.
 */
export const jsonExpected =
  'JSON-serializable data (no functions, symbols, bigints, cycles, NaN or Infinity, Maps or Sets, and not undefined)';

/** Serializes `value` for storage, or throws InvalidConfigError naming `field` and the path. */
export function toJson(value: unknown, field: string): string {
  assertJsonSerializable(value, field);
  return JSON.stringify(value);
}

/**
 * Serializes `value` for storage, or returns undefined if it is not plain JSON (then call toJson
 * for the error): the hot paths check first and build field names only for a refusal.
 */
export function toJsonIfPlain(value: unknown): string | undefined {
  return isJsonSerializable(value) ? JSON.stringify(value) : undefined;
}

/** Like toJson, but `undefined` means "no value" and gives null. */
export function toJsonOrNull(value: unknown, field: string): string | null {
  return value === undefined ? null : toJson(value, field);
}

/** Parses stored JSON text; null (SQL NULL) stays undefined. */
export function fromJson(text: string | null | undefined): unknown {
  return text === null || text === undefined ? undefined : JSON.parse(text);
}

/** Throws InvalidConfigError naming `field` (and the path inside it) unless `value` is plain JSON. */
export function assertJsonSerializable(value: unknown, field: string): void {
  if (value === undefined) throw new InvalidConfigError(field, jsonExpected, value);
  // The walk without paths first: building one per nested value costs more than the walk.
  if (isJsonSerializable(value)) return;
  check(value, field, [], '');
}

/** Whether `value` is plain JSON, by the same rules as assertJsonSerializable. */
export function isJsonSerializable(value: unknown): boolean {
  return value !== undefined && plain(value, [], '');
}

function plain(value: unknown, ancestors: object[], key: string | number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      return value === null || plainObject(value, ancestors, key);
    default:
      return false;
  }
}

function plainObject(value: object, ancestors: object[], key: string | number): boolean {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    let replaced: unknown;
    try {
      replaced = (toJSON as (key: string) => unknown).call(value, String(key));
    } catch {
      return false;
    }
    if (replaced === undefined) return false;
    if (replaced !== value) return plain(replaced, ancestors, key);
  }
  if (value instanceof Map || value instanceof Set || ancestors.includes(value)) return false;
  ancestors.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!plain(value[i], ancestors, i)) return false;
    }
  } else {
    for (const name of Object.keys(value)) {
      if (!plain((value as Record<string, unknown>)[name], ancestors, name)) return false;
    }
  }
  ancestors.pop();
  return true;
}

function check(value: unknown, path: string, ancestors: object[], key: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined': // nested: dropped from objects, null in arrays, as JSON does
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidConfigError(path, jsonExpected, value);
      return;
    case 'object':
      if (value === null) return;
      checkObject(value, path, ancestors, key);
      return;
    default: // function, symbol, bigint
      throw new InvalidConfigError(path, jsonExpected, value);
  }
}

function checkObject(value: object, path: string, ancestors: object[], key: string): void {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    let replaced: unknown;
    try {
      replaced = (toJSON as (key: string) => unknown).call(value, key);
    } catch (error) {
      throw new InvalidConfigError(path, jsonExpected, value, { cause: error });
    }
    if (replaced === undefined) throw new InvalidConfigError(path, jsonExpected, value);
    if (replaced !== value) {
      check(replaced, path, ancestors, key);
      return;
    }
  }
  if (value instanceof Map || value instanceof Set || ancestors.includes(value)) {
    throw new InvalidConfigError(path, jsonExpected, value);
  }
  ancestors.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      check(value[i], `${path}[${i}]`, ancestors, String(i));
    }
  } else {
    for (const name of Object.keys(value)) {
      check((value as Record<string, unknown>)[name], pathOf(path, name), ancestors, name);
    }
  }
  ancestors.pop();
}

const identifier = /^[A-Za-z_$][\w$]*$/;

function pathOf(path: string, name: string): string {
  return identifier.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}
