import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.illegal-transition');

/**
 * An item was asked to move between two states the item state machine does not connect, e.g.
 * `completed -> leased`. It always means a bug in the caller (or a corrupted store), never a
 * transient condition, so it is not retried. `event` names what was attempted, when known.
 */
export class IllegalTransitionError extends SluiceError {
  readonly code = 'SLUICE_ILLEGAL_TRANSITION';
  readonly [marker] = true;

  constructor(
    readonly from: string,
    readonly to: string,
    readonly event?: string,
    options?: ErrorOptions,
  ) {
    super(
      `illegal item state transition ${from} -> ${to}${event === undefined ? '' : ` (${event})`}`,
      options,
    );
  }
}

export function isIllegalTransitionError(value: unknown): value is IllegalTransitionError {
  return typeof value === 'object' && value !== null && marker in value;
}
