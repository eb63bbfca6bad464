import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../open-store.js';
import { dbOption } from '../options.js';

const units: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `30d`, `12h`, `90m`, `45s`, `500ms` as milliseconds; anything else names the flag. */
export function parseOlderThan(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
  const ms = match === null ? Number.NaN : Number(match[1]) * units[match[2]!]!;
  if (!Number.isSafeInteger(ms)) {
    throw new InvalidArgumentError(
      `--older-than must be a whole number with a unit (ms, s, m, h, d), e.g. 30d, got ${value}`,
    );
  }
  return ms;
}

/**
 * `sluice prune --older-than 30d`: retention. Deletes completed and cancelled runs last updated
 * longer ago than that, with their items, retry history, dead letters and checkpoints, and the
 * registrations of workers silent as long (Store.prune); running and failed runs stay.
 */
export function registerPrune(program: Command, io: CliIo): void {
  program
    .command('prune')
    .description('delete completed and cancelled runs older than --older-than, with their items')
    .addOption(
      new Option('--older-than <age>', 'age of the runs to delete: 30d, 12h, 90m...')
        .makeOptionMandatory()
        .argParser(parseOlderThan),
    )
    .addOption(dbOption())
    .action((options: { olderThan: number; db: string }) =>
      withExistingStore(options.db, async (store) => {
        const result = await store.prune({ olderThanMs: options.olderThan }, io.now());
        io.stdout(
          `pruned ${result.runs} ${result.runs === 1 ? 'run' : 'runs'} (${result.items} ${
            result.items === 1 ? 'item' : 'items'
          }) and ${result.workers} silent worker ${result.workers === 1 ? 'registration' : 'registrations'}\n`,
        );
      }),
    );
}
