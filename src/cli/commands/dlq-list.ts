import type { Command } from 'commander';
import { failureCategories, type FailureCategory } from '../../errors/index.js';
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

interface DlqListOptions {
  readonly db: string;
  readonly stage?: string;
  readonly category?: FailureCategory;
  readonly limit: number;
  readonly json?: boolean;
}

/** `sluice dlq list`: the run's dead letters not yet sent back, oldest first. */
export function registerDlqList(dlq: Command, io: CliIo): void {
  dlq
    .command('list')
    .description('list the dead letters of a run, oldest first')
    .addArgument(runIdArgument())
    .addOption(dbOption())
    .addOption(stageOption())
    .addOption(choiceOption('--category <category>', 'only this category', failureCategories))
    .addOption(limitOption(100))
    .addOption(jsonOption())
    .action((runId: string | undefined, options: DlqListOptions) =>
      withExistingStore(options.db, async (store) => {
        const run = await resolveRun(store, runId, options.db);
        await requireStage(store, run, options.stage);
        const filter = {
          runId: run.id,
          ...(options.stage === undefined ? {} : { stage: options.stage }),
          ...(options.category === undefined ? {} : { category: options.category }),
        };
        const { items, more } = await collectPages(
          (page) => store.deadLetters(filter, page),
          options.limit,
        );
        if (options.json) return printJson(io, { runId: run.id, deadLetters: items, more });
        if (items.length === 0) return io.stdout(`run ${run.id} has no dead letters that match\n`);
        io.stdout(
          `${renderTable(
            [
              { header: 'stage' },
              { header: 'item' },
              { header: 'category' },
              { header: 'attempts', align: 'right' },
              { header: 'died' },
              { header: 'last error' },
            ],
            items.map((d) => [
              d.stage,
              d.id,
              d.category,
              String(d.attempt),
              formatTime(d.at),
              oneLine(d.error),
            ]),
          )}\n${more ? `(the first ${items.length}; --limit shows more)\n` : ''}`,
        );
      }),
    );
}
