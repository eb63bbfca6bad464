import { SluiceError } from './sluice-error.js';

/**
 * Making SluiceError instances without their stack, for the hot-path rejections of error-stacks.ts.
 * Not exported from errors/index.ts: the classes' static `rejection` factories are the API.
 */

// The marker SluiceError's field sets (a registered symbol, the same in every copy of Sluice).
const sluiceErrorMarker = Symbol.for('sluice.error');

/**
 * A new instance of a SluiceError subclass made without running the Error constructor, so
 * without capturing a stack (tens of nanoseconds instead of microseconds; see error-stacks.ts),
 * with the fields SluiceError's constructor sets. The caller sets the subclass's own fields as
 * its constructor would, and the class computes its message from them (`messageFromFields`).
 *
 * What it is not: a native Error (`util.types.isNativeError` is false, structuredClone copies
 * it as a plain object). What it is: `instanceof` the class, SluiceError and Error, the marker
 * guards hold, the same own enumerable fields, the same `message`, `stack` reading
 * `Name: message`, and `Object.prototype.toString` giving `[object Error]` like a native one.
 */
export function stacklessInstance(
  prototype: SluiceError,
  name: string,
): Record<PropertyKey, unknown> {
  const error = Object.create(prototype) as Record<PropertyKey, unknown>;
  error.name = name;
  error[sluiceErrorMarker] = true;
  return error;
}

/**
 * Gives the instances of `Class` made by `stacklessInstance` their message, computed from their
 * fields when read (building the string costs more than the instance, and most rejections are
 * never printed). An instance made by `new` has its own `message`, which hides this one.
 */
export function messageFromFields<E extends SluiceError>(
  Class: abstract new (...args: never[]) => E,
  describe: (error: E) => string,
): void {
  Object.defineProperty(Class.prototype, 'message', {
    configurable: true,
    get(this: E) {
      return describe(this);
    },
    set(this: E, value: unknown) {
      ownValue(this, 'message', value);
    },
  });
}

/** Assigning `message` or `stack` on a stackless instance makes it its own, as on any Error. */
function ownValue(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}

// A native error has its own `stack`, which hides this; a stackless one reads the form V8 gives
// an error made under `Error.stackTraceLimit = 0`.
Object.defineProperty(SluiceError.prototype, 'stack', {
  configurable: true,
  get(this: Error) {
    const message = this.message;
    return message === '' ? this.name : `${this.name}: ${message}`;
  },
  set(this: Error, value: unknown) {
    ownValue(this, 'stack', value);
  },
});

// `[object Error]` for stackless instances too (a native error gives it anyway), so that deep
// equality (vitest, node:assert) and loggers that check the tag treat both alike.
Object.defineProperty(SluiceError.prototype, Symbol.toStringTag, {
  configurable: true,
  value: 'Error',
});
