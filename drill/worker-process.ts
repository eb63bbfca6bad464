import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DrillWorkerConfig } from './child/worker.js';

const workerScript = fileURLToPath(new URL('./child/worker.ts', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

/** A running drill worker: its process, its stdout lines, and how it ended. */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  constructor(config: DrillWorkerConfig) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', workerScript, JSON.stringify(config)],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let buffer = '';
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        this.lines.push(line);
        for (const waiter of [...this.#waiters]) {
          if (waiter.match(line)) {
            this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Resolves with the first line (already printed or to come) that starts with `prefix`. */
  line(prefix: string): Promise<string> {
    const seen = this.lines.find((line) => line.startsWith(prefix));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) =>
      this.#waiters.push({ match: (line) => line.startsWith(prefix), resolve }),
    );
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/**
 * Resolves with the time (performance.now) at which a `commit` line first appears in the ledger
 * past its size now (the moment a restarted worker is doing useful work again), or with
 * undefined if `until` settles first.
 */
export function nextCommit(
  ledger: string,
  until: Promise<unknown>,
  timeoutMs = 120_000,
): Promise<number | undefined> {
  let offset = statSync(ledger).size;
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    // `until` settling first (the worker died before committing) ends the wait with undefined.
    void until.then(() => {
      clearInterval(timer);
      resolve(undefined);
    });
    const timer = setInterval(() => {
      const size = statSync(ledger).size;
      if (size > offset) {
        const fd = openSync(ledger, 'r');
        const chunk = Buffer.alloc(size - offset);
        readSync(fd, chunk, 0, chunk.length, offset);
        closeSync(fd);
        offset = size;
        if (chunk.includes('commit ')) {
          clearInterval(timer);
          resolve(performance.now());
          return;
        }
      }
      if (performance.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`no commit in ${ledger} within ${timeoutMs} ms`));
      }
    }, 5);
  });
}
