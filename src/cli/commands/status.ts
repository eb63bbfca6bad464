import type { Command } from 'commander';
import { getRunStatus, type RunStatusReport } from '../../runtime/index.js';
import { itemStates } from '../../store/index.js';
import { formatCount, formatRate, formatSeconds, formatTime } from '../format.js';
import { printJson, type CliIo } from '../io.js';
import { withExistingStore } from '../open-store.js';
import { dbOption, jsonOption, runIdArgument } from '../options.js';
import { resolveRun } from '../run-lookup.js';
import { renderTable } from '../table.js';

interface StatusOptions {
  readonly db: string;
  readonly json?: boolean;
}

/**
 * `sluice status`: where a run stands, read from the store (so it works while another process
 * runs it): items per stage and state, throughput and ETA from the progress checkpoints.
 */
export function registerStatus(program: Command, io: CliIo): void {
  program
    .command('status')
    .description('show where a run stands: items per stage and state, throughput, ETA')
    .addArgument(runIdArgument())
    .addOption(dbOption())
    .addOption(jsonOption())
    .action((runId: string | undefined, options: StatusOptions) =>
      withExistingStore(options.db, async (store) => {
        const run = await resolveRun(store, runId, options.db);
        const report = await getRunStatus(store, run.id, io.now());
        if (options.json) printJson(io, statusJson(report));
        else io.stdout(renderStatus(report));
      }),
    );
}

/** The report with the run's summary left out (`sluice summary` shows it) and unknowns null. */
function statusJson(report: RunStatusReport) {
  const { summary: _summary, ...run } = report.run;
  return {
    run,
    counts: report.counts,
    finished: report.finished,
    open: report.open,
    dead: report.dead,
    throughputPerSecond: report.throughputPerSecond ?? null,
    etaSeconds: report.etaSeconds ?? null,
    lastCheckpointAt: report.lastCheckpointAt ?? null,
  };
}

function renderStatus(report: RunStatusReport): string {
  const { run } = report;
  const stages = Object.entries(report.counts);
  const lines = [
    `Run ${run.id} (${run.pipeline} v${run.pipelineVersion}): ${run.status}`,
    `created ${formatTime(run.createdAt)}, updated ${formatTime(run.updatedAt)}, last checkpoint ${formatTime(report.lastCheckpointAt)}`,
    `${formatCount(report.finished)} finished, ${formatCount(report.open)} open, ${formatCount(report.dead)} dead; throughput ${formatRate(report.throughputPerSecond)}, ETA ${formatSeconds(report.etaSeconds)}`,
  ];
  if (stages.length === 0) return `${lines.join('\n')}\n\nno items yet\n`;
  const table = renderTable(
    [
      { header: 'stage' },
      ...itemStates.map((state) => ({ header: state, align: 'right' as const })),
      { header: 'total', align: 'right' },
      { header: 'degraded', align: 'right' },
    ],
    stages.map(([stage, c]) => [
      stage,
      ...itemStates.map((state) => formatCount(c[state])),
      formatCount(c.total),
      formatCount(c.degraded),
    ]),
  );
  return `${lines.join('\n')}\n\n${table}\n`;
}
