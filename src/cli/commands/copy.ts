import { Option, type Command } from 'commander';
import { InvalidConfigError } from '../../errors/index.js';
import type { CliIo } from '../io.js';
import { isPostgresUrl, splitPostgresUrl } from '../open-store.js';

/**
 * `sluice copy --from FILE.db --to postgres://...?schema=sluice`: moving up. Copies every run of
 * the SQLite file, with its items, history, dead letters and checkpoints, and the shared service
 * state, into the PostgreSQL schema (created if needed), in one transaction; the file is only
 * read. Stop the file's workers first; then point them at the URL and they resume the runs.
 */
export function registerCopy(program: Command, io: CliIo): void {
  program
    .command('copy')
    .description('copy a SQLite database (runs, items, history, checkpoints) into PostgreSQL')
    .addOption(new Option('--from <file>', 'the SQLite file to copy').makeOptionMandatory())
    .addOption(
      new Option(
        '--to <url>',
        'postgres://user:password@host/db, optionally ?schema=name',
      ).makeOptionMandatory(),
    )
    .action(async (options: { from: string; to: string }) => {
      // Checked here, not by commander, whose message would repeat the URL with its password.
      if (!isPostgresUrl(options.to)) {
        throw new InvalidConfigError(
          '--to',
          'a postgres:// or postgresql:// URL',
          options.to.replace(/:[^:@/]*@/, ':***@'),
        );
      }
      const { copySqliteToPostgres, createPostgresPool, maskUrl } =
        await import('../../store/postgres/index.js');
      const { url, schema } = splitPostgresUrl(options.to);
      const pool = createPostgresPool({ url, schema, maxConnections: 2 });
      try {
        const copied = await copySqliteToPostgres({ from: options.from, pool, schema });
        io.stdout(
          `copied ${options.from} to ${maskUrl(url)} (schema ${schema}): ${copied.runs} runs, ${copied.items} items, ${copied.retryHistory} retries, ${copied.deadLetters} dead letters, ${copied.checkpoints} checkpoints, ${copied.breakerStates} breaker states, ${copied.healthSamples} health samples\n`,
        );
      } finally {
        await pool.end();
      }
    });
}
