import type { Command } from 'commander';
import { itemStates, type ItemState } from '../../store/index.js';
import { collectPages } from '../collect-pages.js';
import { formatTime, oneLine } from '../format.js';
import { printJson, type CliIo } from '../io.js';
import { withExistingStore } from '../open-store.js';
import {
  choiceOption,
  dbOption,
  jsonOption,
  limitOption,
  runIdArgument,
  stageOption,
} from '../options.js';
import { requireStage, resolveRun } from '../run-lookup.js';
import { renderTable } from '../table.js';

interface ItemsOptions {
  readonly db: string;
  readonly state?: ItemState;
  readonly stage?: string;
  readonly limit: number;
  readonly json?: boolean;
}

/** `sluice items`: a run's items, by stage then ID, for a look at what is stuck and why. */
export function registerItems(program: Command, io: CliIo): void {
  program
    .command('items')
    .description('list the items of a run, by stage then ID')
    .addArgument(runIdArgument())
    .addOption(dbOption())
    .addOption(choiceOption('--state <state>', 'only items in this state', itemStates))
    .addOption(stageOption())
    .addOption(limitOption(100))
    .addOption(jsonOption())
    .action((runId: string | undefined, options: ItemsOptions) =>
      withExistingStore(options.db, async (store) => {
        const run = await resolveRun(store, runId, options.db);
        await requireStage(store, run, options.stage);
        const filter = {
          runId: run.id,
          ...(options.stage === undefined ? {} : { stage: options.stage }),
          ...(options.state === undefined ? {} : { states: [options.state] }),
        };
        const { items, more } = await collectPages(
          (page) => store.listItems(filter, page),
          options.limit,
        );
        if (options.json) return printJson(io, { runId: run.id, items, more });
        if (items.length === 0) return io.stdout(`run ${run.id} has no items that match\n`);
        io.stdout(
          `${renderTable(
            [
              { header: 'stage' },
              { header: 'item' },
              { header: 'state' },
              { header: 'attempts', align: 'right' },
              { header: 'updated' },
              { header: 'last error' },
            ],
            items.map((item) => [
              item.stage,
              item.id,
              item.degraded ? `${item.state} (degraded)` : item.state,
              String(item.attempts),
              formatTime(item.updatedAt),
              item.lastError === null
                ? item.skipReason === null
                  ? '-'
                  : `skipped: ${oneLine(item.skipReason)}`
                : `${item.lastCategory ?? 'failed'}: ${oneLine(item.lastError)}`,
            ]),
          )}\n${more ? `(the first ${items.length}; --limit shows more)\n` : ''}`,
        );
      }),
    );
}
