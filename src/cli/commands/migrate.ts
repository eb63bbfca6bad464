import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { openSqlite } from '../../store/index.js';
import type { CliIo } from '../io.js';
import { dbOption } from '../options.js';

/** `sluice migrate`: the one verb that creates a database (or upgrades one to this version). */
export function registerMigrate(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description('create or upgrade a Sluice database to this version, refusing foreign ones')
    .addOption(dbOption())
    .action((options: { db: string }) => {
      mkdirSync(dirname(options.db), { recursive: true });
      const db = openSqlite(options.db);
      try {
        const version = db.prepare('SELECT max(version) FROM sluice_migrations').pluck().get();
        io.stdout(`${options.db}: schema version ${String(version)}\n`);
      } finally {
        db.close();
      }
    });
}
