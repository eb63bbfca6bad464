#!/usr/bin/env node
import { isSluiceError } from '../errors/index.js';
import { createProgram } from './program.js';

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  // Our errors carry a message written for the user; anything else gets its stack.
  process.stderr.write(
    isSluiceError(error)
      ? `sluice: ${error.message} (${error.code})\n`
      : `${String((error as Error).stack ?? error)}\n`,
  );
  process.exitCode = 1;
}
