import { SluiceError } from '../errors/index.js';

export type CliErrorCode =
  | 'SLUICE_NO_DATABASE'
  | 'SLUICE_SCHEMA_OUTDATED'
  | 'SLUICE_NO_RUNS'
  | 'SLUICE_UNKNOWN_RUN'
  | 'SLUICE_NO_SUMMARY'
  | 'SLUICE_UNREADABLE_SUMMARY'
  | 'SLUICE_RUN_FINISHED'
  | 'SLUICE_NO_TOKEN'
  | 'SLUICE_BAD_PIPELINE_FILE'
  | 'SLUICE_BAD_CONFIG'
  | 'SLUICE_NO_PIPELINE_FILE'
  | 'SLUICE_NO_CACHE';

/**
 * A command cannot do what it was asked on this database (no such file, no such run, nothing
 * stored yet). A SluiceError, so the bin prints `sluice: <message> (<code>)` and exits 1; the
 * message says what to do next.
 */
export class CliError extends SluiceError {
  constructor(
    readonly code: CliErrorCode,
    message: string,
  ) {
    super(message);
  }
}
