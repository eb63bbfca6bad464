import { errorStacksEnabled } from './error-stacks.js';
import { SluiceError } from './sluice-error.js';
import { messageFromFields, stacklessInstance } from './stackless.js';

const marker = Symbol.for('sluice.error.bulkhead-full');
const code = 'SLUICE_BULKHEAD_FULL';

/** Every concurrent slot and every queue place of a bulkhead is taken. */
export class BulkheadFullError extends SluiceError {
  readonly code = code;
  readonly [marker] = true;

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueued: number,
  ) {
    super(bulkheadFullMessage(maxConcurrent, maxQueued));
  }

  /**
   * What a full bulkhead refuses a call with: this error, without a stack unless stacks are
   * turned on (see error-stacks.ts); everything else as `new` makes it.
   */
  static rejection(maxConcurrent: number, maxQueued: number): BulkheadFullError {
    if (errorStacksEnabled()) return new BulkheadFullError(maxConcurrent, maxQueued);
    const error = stacklessInstance(BulkheadFullError.prototype, 'BulkheadFullError');
    error.maxConcurrent = maxConcurrent;
    error.maxQueued = maxQueued;
    error.code = code;
    error[marker] = true;
    return error as unknown as BulkheadFullError;
  }
}

messageFromFields(BulkheadFullError, (e) => bulkheadFullMessage(e.maxConcurrent, e.maxQueued));

function bulkheadFullMessage(maxConcurrent: number, maxQueued: number): string {
  return `bulkhead full: ${maxConcurrent} running and ${maxQueued} queued`;
}

export function isBulkheadFullError(value: unknown): value is BulkheadFullError {
  return typeof value === 'object' && value !== null && marker in value;
}
