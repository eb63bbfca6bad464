/**
 * Where a command writes and what time it is. The bin uses the process's streams and clock;
 * tests pass their own so they can read what a command printed and drive it without a child
 * process.
 */
export interface CliIo {
  /** Results: tables for people, one JSON document with --json. */
  readonly stdout: (text: string) => void;
  /** Commander's own messages (usage errors); our errors are printed by the bin. */
  readonly stderr: (text: string) => void;
  /** Wall-clock milliseconds, the `now` of every store write. */
  readonly now: () => number;
}

export const processIo: CliIo = Object.freeze({
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
  now: Date.now,
});

/** Prints one JSON document, so `sluice ... --json | jq` always parses. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
