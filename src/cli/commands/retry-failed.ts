import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../open-store.js';
import { dbOption, runIdArgument, stageOption } from '../options.js';
import { pickUpHint, requireRunnable } from '../run-guards.js';
import { requireStage, resolveRun } from '../run-lookup.js';

interface RetryFailedOptions {
  readonly db: string;
  readonly stage?: string;
}

/**
 * `sluice retry-failed`: "resume failed only": every dead and retry_wait item of the run (or of
 * one stage) back to pending with its attempts reset.
 */
export function registerRetryFailed(program: Command, io: CliIo): void {
  program
    .command('retry-failed')
    .description('send every failed item (dead or waiting to retry) of a run back to pending')
    .addArgument(runIdArgument())
    .addOption(dbOption())
    .addOption(stageOption())
    .action((runId: string | undefined, options: RetryFailedOptions) =>
      withExistingStore(options.db, async (store) => {
        const run = await resolveRun(store, runId, options.db);
        requireRunnable(run, 'reset its failed items');
        await requireStage(store, run, options.stage);
        const reset = await store.resetFailed(
          run.id,
          options.stage === undefined ? {} : { stage: options.stage },
          io.now(),
        );
        io.stdout(
          `reset ${reset} failed ${reset === 1 ? 'item' : 'items'} of run ${run.id} to pending${reset > 0 ? pickUpHint : ''}\n`,
        );
      }),
    );
}
