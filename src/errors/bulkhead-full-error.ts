import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.bulkhead-full');

/** Every concurrent slot and every queue place of a bulkhead is taken. */
export class BulkheadFullError extends SluiceError {
  readonly code = 'SLUICE_BULKHEAD_FULL';
  readonly [marker] = true;

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueued: number,
  ) {
    super(`bulkhead full: ${maxConcurrent} running and ${maxQueued} queued`);
  }
}

export function isBulkheadFullError(value: unknown): value is BulkheadFullError {
  return typeof value === 'object' && value !== null && marker in value;
}
