import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.injected-fault');

/** Thrown on purpose by fault injection (tests and chaos drills), never by a real service. */
export class InjectedFaultError extends SluiceError {
  readonly code = 'SLUICE_INJECTED_FAULT';
  readonly [marker] = true;

  constructor(message = 'injected fault') {
    super(message);
  }
}

export function isInjectedFaultError(value: unknown): value is InjectedFaultError {
  return typeof value === 'object' && value !== null && marker in value;
}
