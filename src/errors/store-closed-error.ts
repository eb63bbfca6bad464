import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.store-closed');

/** A store method was called after `close()`: a shutdown-ordering bug in the caller. */
export class StoreClosedError extends SluiceError {
  readonly code = 'SLUICE_STORE_CLOSED';
  readonly [marker] = true;

  constructor(
    readonly backend: string,
    readonly method: string,
  ) {
    super(`${backend} store is closed; ${method}() was called after close()`);
  }
}

export function isStoreClosedError(value: unknown): value is StoreClosedError {
  return typeof value === 'object' && value !== null && marker in value;
}
