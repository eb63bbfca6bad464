/**
 * Test support for the CLI: drives `createProgram()` in-process with its output captured, and
 * reads the aligned tables it prints back into rows, so tests can compare them with the store.
 */
import { createProgram } from '../../src/cli/program.js';

export interface CliResult {
  readonly stdout: string;
  readonly stderr: string;
  /** What the command threw (our SluiceErrors, or commander's CommanderError), if anything. */
  readonly error: unknown;
}

export async function runCli(
  args: readonly string[],
  now: () => number = Date.now,
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const program = createProgram({
    io: { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), now },
    exitOverride: true,
  });
  try {
    await program.parseAsync([...args], { from: 'user' });
    return { stdout, stderr, error: undefined };
  } catch (error) {
    return { stdout, stderr, error };
  }
}

/** Runs a command that must succeed and returns what it printed. */
export async function cliOutput(args: readonly string[], now?: () => number): Promise<string> {
  const result = await runCli(args, now);
  if (result.error !== undefined) throw result.error as Error;
  return result.stdout;
}

/**
 * The rows of the first table in `text` (the lines after a `---  ---` rule up to the next blank
 * line) as objects keyed by the header. Cells are separated by two or more spaces.
 */
export function parseTable(text: string): Record<string, string>[] {
  const lines = text.split('\n');
  const rule = lines.findIndex((line) => /^-+( {2}-+)*$/.test(line));
  if (rule < 1) throw new Error(`no table in:\n${text}`);
  const split = (line: string) => line.trim().split(/ {2,}/);
  const header = split(lines[rule - 1]!);
  const rows: Record<string, string>[] = [];
  for (const line of lines.slice(rule + 1)) {
    if (line.trim() === '' || line.startsWith('(')) break;
    const cells = split(line);
    rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
  }
  return rows;
}
