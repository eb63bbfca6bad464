import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../open-store.js';
import { dbOption, runIdArgument } from '../options.js';
import { resolveRun } from '../run-lookup.js';

interface CancelOptions {
  readonly db: string;
}

/**
 * `sluice cancel RUN_ID`: marks the run cancelled and skips its pending and waiting items.
 * Leased items are left to their workers, whose commits still apply (see Store.cancelRun), so
 * it says how many are in flight. The run ID is required: cancelling "the newest run" by
 * default would be one typo away from cancelling the wrong one.
 */
export function registerCancel(program: Command, io: CliIo): void {
  program
    .command('cancel')
    .description('cancel a run: skip its pending and waiting items; running ones finish')
    .addArgument(runIdArgument(true))
    .addOption(dbOption())
    .action((runId: string, options: CancelOptions) =>
      withExistingStore(options.db, async (store) => {
        const run = await resolveRun(store, runId, options.db);
        if (run.status === 'completed') {
          // The store would relabel it cancelled; a finished run has nothing left to stop.
          throw new CliError(
            'SLUICE_RUN_FINISHED',
            `run "${run.id}" already completed; there is nothing to cancel`,
          );
        }
        const skipped = await store.cancelRun(run.id, io.now());
        const leased = Object.values(await store.counts(run.id)).reduce(
          (sum, c) => sum + c.leased,
          0,
        );
        io.stdout(
          `cancelled run ${run.id}: ${skipped} ${skipped === 1 ? 'item' : 'items'} skipped\n${
            leased > 0
              ? `${leased} leased ${leased === 1 ? 'item is' : 'items are'} still being worked on and may send items on to the next stage; cancel again once they finished\n`
              : ''
          }`,
        );
      }),
    );
}
