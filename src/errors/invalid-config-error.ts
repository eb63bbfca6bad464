import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.invalid-config');

/**
 * A configuration value, pipeline definition, request field or payload that cannot be accepted.
 * The message always names the field, the expected value and what was given, e.g.
 * `circuitBreaker.failureRateThreshold must be in (0, 1], got 1.5`.
 */
export class InvalidConfigError extends SluiceError {
  readonly code = 'SLUICE_INVALID_CONFIG';
  readonly [marker] = true;

  constructor(
    readonly field: string,
    readonly expected: string,
    readonly got: unknown,
    options?: ErrorOptions,
  ) {
    super(`${field} must be ${expected}, got ${describeValue(got)}`, options);
  }
}

export function isInvalidConfigError(value: unknown): value is InvalidConfigError {
  return typeof value === 'object' && value !== null && marker in value;
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    const json = JSON.stringify(value) as string | undefined;
    if (json !== undefined) return json;
  } catch {
    // circular or otherwise unserialisable: fall through to the type tag
  }
  return Object.prototype.toString.call(value);
}
