import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerCache } from './commands/cache.js';
import { registerCancel } from './commands/cancel.js';
import { registerCopy } from './commands/copy.js';
import { registerDemo } from './commands/demo.js';
import { registerDlq } from './commands/dlq.js';
import { registerItems } from './commands/items.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPrune } from './commands/prune.js';
import { registerRetryFailed } from './commands/retry-failed.js';
import { registerRuns } from './commands/runs.js';
import { registerResume } from './commands/resume.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerWorker } from './commands/worker.js';
import { registerStatus } from './commands/status.js';
import { registerSummary } from './commands/summary.js';
import { processIo, type CliIo } from './io.js';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

export interface ProgramOptions {
  /** Where output goes and what time it is; default the process's streams and clock. */
  readonly io?: Partial<CliIo>;
  /**
   * Throw commander's usage errors (a CommanderError, after the message is written) instead of
   * exiting the process: for tests that drive the program in-process.
   */
  readonly exitOverride?: boolean;
  /** How run, worker and resume end with their exit code; default sets process.exitCode. */
  readonly exit?: (code: number) => void;
}

/** The `sluice` command: one file per verb under commands/, assembled here. */
export function createProgram(options: ProgramOptions = {}): Command {
  const io: CliIo = { ...processIo, ...options.io };
  const program = new Command('sluice')
    .description('Run resilient, resumable, observable data pipelines.')
    .version(version)
    .addHelpText(
      'after',
      '\nEvery verb but migrate needs an existing database: --db, or the SLUICE_DB environment variable.',
    )
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  // Set before the subcommands are added: `.command()` copies both settings to each of them.
  if (options.exitOverride) program.exitOverride();

  registerMigrate(program, io);
  registerRuns(program, io);
  registerStatus(program, io);
  registerSummary(program, io);
  registerItems(program, io);
  registerDlq(program, io);
  registerRetryFailed(program, io);
  registerCancel(program, io);
  registerCache(program, io);
  registerPrune(program, io);
  registerCopy(program, io);
  registerServe(program, io);
  const exit = options.exit ?? ((code: number) => void (process.exitCode = code));
  registerRun(program, io, exit);
  registerWorker(program, io, exit);
  registerResume(program, io, exit);
  registerDemo(program, io, exit);
  return program;
}
