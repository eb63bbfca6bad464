import type { Command } from 'commander';
import { runStatuses, type RunStatus } from '../../store/index.js';
import { collectPages } from '../collect-pages.js';
import { formatCount, formatTime } from '../format.js';
import { printJson, type CliIo } from '../io.js';
import { withExistingStore } from '../open-store.js';
import { choiceOption, dbOption, jsonOption, limitOption } from '../options.js';
import { renderTable } from '../table.js';

interface RunsOptions {
  readonly db: string;
  readonly pipeline?: string;
  readonly status?: RunStatus;
  readonly limit: number;
  readonly json?: boolean;
}

/** `sluice runs`: the runs in a database, newest first, with how many items each holds. */
export function registerRuns(program: Command, io: CliIo): void {
  program
    .command('runs')
    .description('list the runs in a database, newest first')
    .addOption(dbOption())
    .option('--pipeline <name>', 'only runs of this pipeline')
    .addOption(choiceOption('--status <status>', 'only runs in this status', runStatuses))
    .addOption(limitOption(20))
    .addOption(jsonOption())
    .action((options: RunsOptions) =>
      withExistingStore(options.db, async (store) => {
        const filter = {
          ...(options.pipeline === undefined ? {} : { pipeline: options.pipeline }),
          ...(options.status === undefined ? {} : { status: options.status }),
        };
        const { items: runs, more } = await collectPages(
          (page) => store.listRuns(filter, page),
          options.limit,
        );
        const rows = [];
        for (const run of runs) {
          const counts = Object.values(await store.counts(run.id));
          rows.push({
            id: run.id,
            pipeline: run.pipeline,
            pipelineVersion: run.pipelineVersion,
            status: run.status,
            createdAt: run.createdAt,
            updatedAt: run.updatedAt,
            items: counts.reduce((sum, c) => sum + c.total, 0),
          });
        }
        if (options.json) return printJson(io, { runs: rows, more });
        if (rows.length === 0) return io.stdout(`no runs in ${options.db} match\n`);
        io.stdout(
          `${renderTable(
            [
              { header: 'run' },
              { header: 'pipeline' },
              { header: 'version' },
              { header: 'status' },
              { header: 'created' },
              { header: 'updated' },
              { header: 'items', align: 'right' },
            ],
            rows.map((r) => [
              r.id,
              r.pipeline,
              r.pipelineVersion,
              r.status,
              formatTime(r.createdAt),
              formatTime(r.updatedAt),
              formatCount(r.items),
            ]),
          )}\n${more ? `(the first ${rows.length}; --limit shows more)\n` : ''}`,
        );
      }),
    );
}
