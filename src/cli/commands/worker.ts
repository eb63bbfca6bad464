import { Option, type Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadPipelineFile, pipelineExportHelp, withConcurrency } from '../pipeline-file.js';
import { pickRunId } from '../run-files.js';
import { runSession } from '../run-session.js';
import { openRunStore, resolveConfig, runFlags } from './run.js';

/**
 * `sluice worker FILE`: joins a run without seeding it, and keeps working it (new items, retries
 * coming due) until Ctrl-C or SIGTERM, or until nothing is left with --drain. Several workers
 * share a run through the store.
 */
export function registerWorker(program: Command, io: CliIo, exit: (code: number) => void): void {
  runFlags(
    program
      .command('worker')
      .description('work a run of a pipeline file without seeding it (one of several workers)')
      .argument('<file>', 'a .ts or .js file that exports `pipeline`'),
  )
    .addOption(new Option('--drain', 'exit once no work is left instead of waiting for more'))
    .addHelpText(
      'after',
      `
The file must ${pipelineExportHelp} (a worker never seeds).
Exit codes: 0 stopped or drained, 1 some items dead, 2 bad usage or config, 130 / 143 after Ctrl-C / SIGTERM.

Examples:
  sluice worker pipeline.ts --db .sluice/sluice.db --run-id news-2026-12-04
  sluice worker pipeline.ts --drain --concurrency 4
  sluice worker pipeline.ts --db postgres://db.internal/sluice --run-id news-1   # one of a fleet`,
    )
    .action(
      async (file: string, flags: Parameters<typeof resolveConfig>[0] & { drain?: boolean }) => {
        const config = await resolveConfig(flags, io);
        const loaded = await loadPipelineFile(file);
        const pipeline = withConcurrency(loaded.pipeline, config.concurrency);
        const store = await openRunStore(config);
        try {
          const runId = await pickRunId(store, pipeline.name, flags.runId);
          const result = await runSession({
            io,
            store,
            pipeline,
            config,
            json: flags.json === true,
            run: { runId, until: flags.drain ? 'drained' : 'stopped' },
          });
          exit(result.exitCode);
        } finally {
          await store.close();
        }
      },
    );
}
