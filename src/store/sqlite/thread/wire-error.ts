import * as errors from '../../../errors/index.js';

/**
 * An error as it crosses from the store thread to the caller's. Structured clone keeps only the
 * message of an Error (and the name of the built-in ones): our classes, their stable `code`,
 * their fields (field, expected, problem, location...) and the marker symbols their type guards
 * test would all be lost, so they travel spelled out and are rebuilt on the other side.
 */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** The error's own string-keyed fields (code, field, expected, ...), structured-cloneable. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The keys of its own registered symbols (`Symbol.for(key)`): the type guards' markers. */
  readonly markers: readonly string[];
}

export function toWireError(value: unknown): WireError {
  if (!(value instanceof Error)) {
    return { name: 'Error', message: String(value), stack: undefined, fields: {}, markers: [] };
  }
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as unknown as Record<string, unknown>)[key];
    if (isCloneable(field)) fields[key] = field;
  }
  const markers: string[] = [];
  for (const symbol of Object.getOwnPropertySymbols(value)) {
    const key = Symbol.keyFor(symbol);
    if (key !== undefined) markers.push(key);
  }
  return { name: value.name, message: value.message, stack: value.stack, fields, markers };
}

/** Our error classes by name, for rebuilding one with its prototype (so `instanceof` holds). */
const classes = new Map<string, new (...args: never[]) => Error>();
for (const exported of Object.values(errors)) {
  if (typeof exported === 'function' && exported.prototype instanceof Error) {
    classes.set(exported.name, exported as new (...args: never[]) => Error);
  }
}

export function fromWireError(wire: WireError): Error {
  const prototype = (classes.get(wire.name) ?? Error).prototype as Error;
  const error = Object.create(prototype) as Error;
  Object.defineProperty(error, 'message', { value: wire.message, writable: true });
  Object.defineProperty(error, 'stack', { value: wire.stack, writable: true });
  Object.assign(error, wire.fields);
  if (!Object.hasOwn(wire.fields, 'name') && error.name !== wire.name) {
    Object.defineProperty(error, 'name', { value: wire.name, writable: true });
  }
  for (const key of wire.markers) Object.defineProperty(error, Symbol.for(key), { value: true });
  return error;
}

function isCloneable(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    (Array.isArray(value) && value.every((entry) => typeof entry === 'string'))
  );
}
