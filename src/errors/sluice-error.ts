/**
 * The base of every error Sluice throws. Each subclass carries a stable string `code`
 * (undici-style) that callers may switch on across versions, and a marker symbol so type guards
 * work across realms and duplicated package copies, where `instanceof` would not.
 */
const sluiceErrorMarker = Symbol.for('sluice.error');

export abstract class SluiceError extends Error {
  abstract readonly code: string;
  readonly [sluiceErrorMarker] = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export function isSluiceError(value: unknown): value is SluiceError {
  return typeof value === 'object' && value !== null && sluiceErrorMarker in value;
}
