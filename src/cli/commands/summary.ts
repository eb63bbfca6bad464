import type { Command } from 'commander';
import { renderRunSummary, type RunSummary } from '../../observe/index.js';
import { CliError } from '../cli-error.js';
import { printJson, type CliIo } from '../io.js';
import { withExistingStore } from '../open-store.js';
import { dbOption, jsonOption, runIdArgument } from '../options.js';
import { resolveRun } from '../run-lookup.js';

interface SummaryOptions {
  readonly db: string;
  readonly json?: boolean;
}

/**
 * `sluice summary`: the run summary the engine stores with the run at each progress checkpoint
 * and at the end (per stage, per service, usage), as the table `run` prints or as JSON.
 */
export function registerSummary(program: Command, io: CliIo): void {
  program
    .command('summary')
    .description('print the summary stored with a run: per stage, per service, usage')
    .addArgument(runIdArgument())
    .addOption(dbOption())
    .addOption(jsonOption())
    .action((runId: string | undefined, options: SummaryOptions) =>
      withExistingStore(options.db, async (store) => {
        const run = await resolveRun(store, runId, options.db);
        if (run.summary === undefined || run.summary === null) {
          throw new CliError(
            'SLUICE_NO_SUMMARY',
            `run "${run.id}" has no stored summary yet (the engine stores one at each progress checkpoint and when the run stops); \`sluice status ${run.id}\` shows its counts`,
          );
        }
        if (options.json) return printJson(io, run.summary);
        if (!isRunSummary(run.summary)) {
          throw new CliError(
            'SLUICE_UNREADABLE_SUMMARY',
            `the summary stored with run "${run.id}" is not one this Sluice can render; --json prints it as stored`,
          );
        }
        io.stdout(renderRunSummary(run.summary));
      }),
    );
}

/** Enough of the shape for renderRunSummary not to throw: a summary from another version may differ. */
function isRunSummary(value: unknown): value is RunSummary {
  const v = value as Partial<Record<keyof RunSummary, unknown>>;
  const isObject = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
  return (
    isObject(v) &&
    typeof v.durationMs === 'number' &&
    isObject(v.stages) &&
    isObject(v.services) &&
    isObject(v.usage)
  );
}
