import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { dryRun, createServiceCaller } from '../../runtime/index.js';
import { createSqliteStore, type Store } from '../../store/index.js';
import { pino } from 'pino';
import { printJson, type CliIo } from '../io.js';
import { isPostgresUrl, splitPostgresUrl } from '../open-store.js';
import { loadPipelineFile, pipelineExportHelp, withConcurrency } from '../pipeline-file.js';
import { readConfigFile, resolveRunConfig, type RunConfig } from '../run-config.js';
import { runSession } from '../run-session.js';
import { pickRunId, rememberPipelineFile } from '../run-files.js';

interface RunFlags {
  readonly db?: string;
  readonly runId?: string;
  readonly concurrency?: string;
  readonly limit?: string;
  readonly dryRun?: boolean;
  readonly serve?: boolean;
  readonly port?: string;
  readonly host?: string;
  readonly json?: boolean;
  readonly config?: string;
  readonly shutdownDeadline?: string;
  readonly logLevel?: string;
}

/** The flags `run` and `worker` share, resolved with env and the config file (run-config.ts). */
export function runFlags(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--db <path>',
        'SQLite file, or postgres://...[?schema=s] URL, of the store (env SLUICE_DB; default .sluice/sluice.db)',
      ),
    )
    .addOption(
      new Option(
        '--run-id <id>',
        'the run (default: the newest unfinished run of the pipeline, else a new one)',
      ),
    )
    .addOption(
      new Option(
        '--concurrency <n>',
        'items in flight per stage, for every stage (env SLUICE_CONCURRENCY)',
      ),
    )
    .addOption(
      new Option(
        '--serve',
        'serve the dashboard, /api/v1 and /metrics while running (env SLUICE_SERVE)',
      ),
    )
    .addOption(
      new Option(
        '--port <port>',
        'port of --serve (env SLUICE_PORT; default 8080, 0: any free one)',
      ),
    )
    .addOption(
      new Option('--host <host>', 'address of --serve (env SLUICE_HOST; default 127.0.0.1)'),
    )
    .addOption(
      new Option(
        '--config <file>',
        'config file (default: sluice.config.json|ts|js in the working directory)',
      ),
    )
    .addOption(
      new Option(
        '--shutdown-deadline <ms>',
        'after Ctrl-C / SIGTERM, how long in-flight items may finish (env SLUICE_SHUTDOWN_DEADLINE_MS; default 10000)',
      ),
    )
    .addOption(
      new Option(
        '--log-level <level>',
        'runtime log level on stderr (env SLUICE_LOG_LEVEL; default warn)',
      ),
    )
    .addOption(new Option('--json', 'print the result as one JSON document on stdout'));
}

export async function resolveConfig(flags: RunFlags, io: CliIo): Promise<RunConfig> {
  void io;
  const file = await readConfigFile(flags.config, process.cwd());
  return resolveRunConfig(
    {
      db: flags.db,
      concurrency: flags.concurrency,
      limit: flags.limit,
      serve: flags.serve,
      port: flags.port,
      host: flags.host,
      shutdownDeadlineMs: flags.shutdownDeadline,
      logLevel: flags.logLevel,
    },
    process.env,
    file,
  );
}

/** Opens (creating and migrating) the run's store: a SQLite file, or a postgres:// URL. */
export async function openRunStore(config: RunConfig): Promise<Store> {
  if (isPostgresUrl(config.db)) {
    const { createPostgresStore } = await import('../../store/postgres/index.js');
    return createPostgresStore(splitPostgresUrl(config.db));
  }
  mkdirSync(dirname(config.db), { recursive: true });
  return createSqliteStore({ path: config.db });
}

/**
 * `sluice run FILE`: seeds the pipeline's first stage from the file's `seed` export (idempotent
 * by item ID, so running it again resumes) and works the run until nothing is left.
 */
export function registerRun(program: Command, io: CliIo, exit: (code: number) => void): void {
  runFlags(
    program
      .command('run')
      .description('run a pipeline file on the embedded store until its items are done')
      .argument('<file>', 'a .ts or .js file that exports `pipeline` (and optionally `seed`)'),
  )
    .addOption(new Option('--limit <n>', 'seed at most n items (env SLUICE_LIMIT)'))
    .addOption(
      new Option('--dry-run', 'run every item in memory, write nothing, call no real store'),
    )
    .addHelpText(
      'after',
      `
The file must ${pipelineExportHelp}.
Settings: flags, then SLUICE_* environment variables, then sluice.config.json, then defaults.
Exit codes: 0 done, 1 some items dead (see sluice dlq list), 2 bad usage or config, 130 / 143 after Ctrl-C / SIGTERM (run it again to resume).

Examples:
  sluice run pipeline.ts
  sluice run pipeline.ts --db state/news.db --concurrency 8 --serve --port 8080
  sluice run pipeline.ts --dry-run --limit 5 --json`,
    )
    .action(async (file: string, flags: RunFlags) => {
      const config = await resolveConfig(flags, io);
      const loaded = await loadPipelineFile(file);
      const pipeline = withConcurrency(loaded.pipeline, config.concurrency);
      if (flags.dryRun) {
        const report = await dryRun({
          pipeline,
          seed: loaded.seed ?? [],
          ...(config.limit === undefined ? {} : { limit: config.limit }),
          services: createServiceCaller(pipeline.services),
          logger: pino({ level: 'silent' }),
        });
        if (flags.json) printJson(io, { dryRun: true, stages: report });
        else {
          for (const [stage, r] of Object.entries(report)) {
            io.stdout(
              `${stage}: ${r.completed} completed, ${r.failed} failed, ${r.emitted} emitted\n`,
            );
            for (const f of r.failures) io.stdout(`  ${f.id}: ${f.category}: ${f.error}\n`);
          }
        }
        const failed = Object.values(report).some((r) => r.failed > 0);
        exit(failed ? 1 : 0);
        return;
      }
      const store = await openRunStore(config);
      const runId = await pickRunId(store, pipeline.name, flags.runId);
      await rememberPipelineFile(store, runId, pipeline, loaded.path);
      try {
        const result = await runSession({
          io,
          store,
          pipeline,
          config,
          json: flags.json === true,
          run: {
            runId,
            ...(loaded.seed === undefined ? {} : { seed: loaded.seed }),
            ...(config.limit === undefined ? {} : { limit: config.limit }),
          },
        });
        exit(result.exitCode);
      } finally {
        await store.close();
      }
    });
}
