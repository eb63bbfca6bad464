import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { openSqlite } from '../store/index.js';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

/** The `sluice` command. Each subcommand arrives with the issue that builds what it drives. */
export function createProgram(): Command {
  const program = new Command('sluice')
    .description('Run resilient, resumable, observable data pipelines.')
    .version(version);

  program
    .command('migrate')
    .description('create or upgrade a Sluice database to this version, refusing foreign ones')
    .option('--db <path>', 'SQLite file of the embedded store', '.sluice/sluice.db')
    .action((options: { db: string }) => {
      mkdirSync(dirname(nonEmpty(options.db, '--db')), { recursive: true });
      const db = openSqlite(options.db);
      const { version: schemaVersion } = db
        .prepare('SELECT max(version) AS version FROM sluice_migrations')
        .get() as { version: number };
      db.close();
      process.stdout.write(`${options.db}: schema version ${schemaVersion}\n`);
    });

  return program;
}

function nonEmpty(value: string, flag: string): string {
  if (value.trim() === '') throw new InvalidArgumentError(`${flag} must be a non-empty path`);
  return value;
}
