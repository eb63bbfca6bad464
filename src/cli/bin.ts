#!/usr/bin/env node
import { CommanderError } from 'commander';
import { isInvalidConfigError, isSluiceError } from '../errors/index.js';
import { createProgram } from './program.js';

/** Bad usage or configuration exits 2 (docs: exit codes); other refusals 1. */
const usageCodes = new Set(['SLUICE_BAD_PIPELINE_FILE', 'SLUICE_BAD_CONFIG']);

try {
  await createProgram({ exitOverride: true }).parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help / version, exit code 0).
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    // Our errors carry a message written for the user; anything else gets its stack.
    process.stderr.write(
      isSluiceError(error)
        ? `sluice: ${error.message} (${error.code})\n`
        : `${String((error as Error).stack ?? error)}\n`,
    );
    process.exitCode =
      isInvalidConfigError(error) || (isSluiceError(error) && usageCodes.has(error.code)) ? 2 : 1;
  }
}

// A run's handlers may leave timers behind (one stuck past the shutdown deadline, say): the
// command is over, so exit once what was written has reached the pipes.
const code = Number(process.exitCode ?? 0);
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
