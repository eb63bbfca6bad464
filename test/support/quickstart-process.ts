/**
 * Test support: the quickstart example as a child process (`node --import tsx main.ts`), with an
 * environment free of the developer's own OTEL_* variables plus the ones a test sets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../examples/quickstart/main.ts', import.meta.url));

export interface QuickstartProcess {
  readonly proc: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves once stdout matches (rejects if the process ends first). */
  readonly waitFor: (pattern: RegExp) => Promise<void>;
  readonly exited: Promise<number | null>;
}

export function startQuickstart(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): QuickstartProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')),
  );
  const proc = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...inherited, ...env },
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close', not 'exit': by then stdout and stderr have been read to the end.
  const exited = once(proc, 'close').then(([code]) => code as number | null);
  const waitFor = (pattern: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pattern.test(stdout)) return;
        proc.stdout.off('data', check);
        resolve();
      };
      proc.stdout.on('data', check);
      check();
      void exited.then(() =>
        reject(new Error(`exited before printing ${pattern}:\n${stdout}\n${stderr}`)),
      );
    });
  return { proc, stdout: () => stdout, stderr: () => stderr, waitFor, exited };
}
