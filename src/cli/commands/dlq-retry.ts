import type { Command } from 'commander';
import { failureCategories, type FailureCategory } from '../../errors/index.js';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../open-store.js';
import { choiceOption, dbOption, idsOption, runIdArgument, stageOption } from '../options.js';
import { pickUpHint, requireRunnable } from '../run-guards.js';
import { requireStage, resolveRun } from '../run-lookup.js';

interface DlqRetryOptions {
  readonly db: string;
  readonly stage?: string;
  readonly category?: FailureCategory;
  readonly id?: readonly string[];
}

/**
 * `sluice dlq retry`: sends matching dead letters back to `pending` with their attempts reset;
 * the next run of the pipeline (or a worker still running it) picks them up.
 */
export function registerDlqRetry(dlq: Command, io: CliIo): void {
  dlq
    .command('retry')
    .description('send dead letters of a run back to pending (all, or those matching the filters)')
    .addArgument(runIdArgument())
    .addOption(dbOption())
    .addOption(stageOption())
    .addOption(choiceOption('--category <category>', 'only this category', failureCategories))
    .addOption(idsOption('only these item IDs (give RUN_ID before --id)'))
    .action((runId: string | undefined, options: DlqRetryOptions) =>
      withExistingStore(options.db, async (store) => {
        const run = await resolveRun(store, runId, options.db);
        requireRunnable(run, 'retry its dead letters');
        await requireStage(store, run, options.stage);
        const retried = await store.retryDeadLetters(
          {
            runId: run.id,
            ...(options.stage === undefined ? {} : { stage: options.stage }),
            ...(options.category === undefined ? {} : { category: options.category }),
            ...(options.id === undefined ? {} : { ids: options.id }),
          },
          io.now(),
        );
        io.stdout(
          `sent ${retried} dead ${retried === 1 ? 'letter' : 'letters'} of run ${run.id} back to pending${retried > 0 ? pickUpHint : ''}\n`,
        );
      }),
    );
}
