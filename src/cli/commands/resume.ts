import { Option, type Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../io.js';
import { openExistingStore } from '../open-store.js';
import { loadPipelineFile, withConcurrency } from '../pipeline-file.js';
import { rememberedPipelineFile } from '../run-files.js';
import { runSession } from '../run-session.js';
import { resolveConfig, runFlags } from './run.js';

/**
 * `sluice resume [RUN]`: goes on with a run `sluice run` started (the newest by default), with
 * the pipeline file that run was started from; `--failed-only` first sends its dead and waiting
 * items back to pending. Nothing is seeded again.
 */
export function registerResume(program: Command, io: CliIo, exit: (code: number) => void): void {
  runFlags(
    program
      .command('resume')
      .description('resume a run started by `sluice run`, with the same pipeline file')
      .argument('[run]', 'the run ID (default: the most recent run)'),
  )
    .addOption(new Option('--failed-only', 'retry only the dead and waiting items, first'))
    .addOption(new Option('--file <file>', 'the pipeline file, if the run did not record one'))
    .addHelpText(
      'after',
      `
Exit codes: 0 done, 1 some items dead, 2 bad usage or config, 130 / 143 after Ctrl-C / SIGTERM.

Examples:
  sluice resume
  sluice resume news-lx2k9 --failed-only`,
    )
    .action(
      async (
        given: string | undefined,
        flags: Parameters<typeof resolveConfig>[0] & { failedOnly?: boolean; file?: string },
      ) => {
        const config = await resolveConfig(flags, io);
        const store = await openExistingStore(config.db);
        try {
          const runId = given ?? (await store.listRuns({}, { limit: 1 })).items[0]?.id;
          if (runId === undefined) throw new CliError('SLUICE_NO_RUNS', `no runs in ${config.db}`);
          const run = await store.getRun(runId);
          if (run === undefined) {
            throw new CliError(
              'SLUICE_UNKNOWN_RUN',
              `no run ${JSON.stringify(runId)} in ${config.db}`,
            );
          }
          const file = flags.file ?? (await rememberedPipelineFile(store, runId));
          if (file === undefined) {
            throw new CliError(
              'SLUICE_NO_PIPELINE_FILE',
              `run ${runId} was not started by \`sluice run\`, so its pipeline file is unknown: pass --file FILE`,
            );
          }
          const loaded = await loadPipelineFile(file);
          if (loaded.pipeline.name !== run.pipeline) {
            throw new CliError(
              'SLUICE_BAD_PIPELINE_FILE',
              `${loaded.path} defines pipeline "${loaded.pipeline.name}", but run ${runId} is of pipeline "${run.pipeline}"`,
            );
          }
          const result = await runSession({
            io,
            store,
            pipeline: withConcurrency(loaded.pipeline, config.concurrency),
            config,
            json: flags.json === true,
            run: { runId, ...(flags.failedOnly ? { resume: 'failed' as const } : {}) },
          });
          exit(result.exitCode);
        } finally {
          await store.close();
        }
      },
    );
}
