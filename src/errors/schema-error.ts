import { SluiceError } from './sluice-error.js';

const marker = Symbol.for('sluice.error.schema');

export type SchemaProblem = 'newer' | 'foreign' | 'corrupt' | 'read_only';

/**
 * The database cannot be used as a Sluice store: its schema is newer than this version knows,
 * it belongs to another program, or the file is corrupt or read-only. Sluice refuses it and
 * never modifies it.
 */
export class SchemaError extends SluiceError {
  readonly code: `SLUICE_SCHEMA_${Uppercase<SchemaProblem>}`;
  readonly [marker] = true;

  constructor(
    readonly problem: SchemaProblem,
    readonly location: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${location}: ${detail}`, options);
    this.code = `SLUICE_SCHEMA_${problem.toUpperCase() as Uppercase<SchemaProblem>}`;
  }
}

export function isSchemaError(value: unknown): value is SchemaError {
  return typeof value === 'object' && value !== null && marker in value;
}
