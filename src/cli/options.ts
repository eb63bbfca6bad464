import { Argument, InvalidArgumentError, Option } from 'commander';

/**
 * The flags the operator verbs share, each checked as commander parses it: a bad value is an
 * InvalidArgumentError naming the flag and what it accepts (exit code 1) before any database is
 * opened, so bad input never changes state.
 */

export const defaultDbPath = '.sluice/sluice.db';

export function dbOption(): Option {
  return new Option('--db <path>', 'SQLite file of the embedded store')
    .env('SLUICE_DB')
    .default(defaultDbPath)
    .argParser((value: string) => nonEmpty(value, '--db', 'a non-empty path'));
}

export function jsonOption(): Option {
  return new Option('--json', 'print one JSON document instead of a table');
}

export function limitOption(defaultLimit: number): Option {
  return new Option('--limit <n>', 'show at most n rows')
    .default(defaultLimit)
    .argParser(parseLimit);
}

/** A flag whose value must be one of `values`; commander's error lists them. */
export function choiceOption(flags: string, description: string, values: readonly string[]) {
  return new Option(flags, description).choices(values);
}

export function stageOption(description = 'only this stage'): Option {
  return new Option('--stage <stage>', description).argParser((value: string) =>
    nonEmpty(value, '--stage', 'a stage name'),
  );
}

/** `[RUN_ID]`, defaulting (in the command) to the most recent run. */
export function runIdArgument(required = false): Argument {
  const argument = required
    ? new Argument('<RUN_ID>', 'the run')
    : new Argument('[RUN_ID]', 'the run (default: the most recent run)');
  return argument.argParser((value: string) => nonEmpty(value, 'RUN_ID', 'a run ID'));
}

export function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`--limit must be a whole number >= 1, got ${value}`);
  }
  return n;
}

function nonEmpty(value: string, name: string, expected: string): string {
  if (value.trim() === '') throw new InvalidArgumentError(`${name} must be ${expected}, got ""`);
  return value;
}

/** `--id <ids...>`: one or more item IDs, repeatable. */
export function idsOption(description: string): Option {
  return new Option('--id <ids...>', description).argParser(
    (value: string, previous: readonly string[] | undefined) => [
      ...(previous ?? []),
      nonEmpty(value, '--id', 'an item ID'),
    ],
  );
}
