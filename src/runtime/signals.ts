import type { Store } from '../store/index.js';
import type { RunOptions, RunResult, Runner } from './runner.js';

export interface SignalOptions {
  /** How long in-flight handlers may take to finish after the first signal. Default 25 s. */
  readonly deadlineMs?: number;
  /** Closed after the run stops or completes (flushes nothing further: the runner did). */
  readonly store?: Store;
  /** Where a second signal exits at once. Default process.exit. */
  readonly exit?: (code: number) => void;
}

const exitCodes = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Runs until done or until SIGTERM/SIGINT. The first signal shuts down gracefully: stop claiming,
 * let running handlers finish within the deadline, abort the rest, give back their leases, flush
 * the commit buffer, close the store. A second signal exits at once; every item it leaves leased
 * becomes claimable again when its lease expires. Resolves to the exit code: 0 when the run
 * completed, 130 after SIGINT, 143 after SIGTERM.
 */
export async function runUntilSignal<T>(
  runner: Runner,
  runOptions: RunOptions<T>,
  options: SignalOptions = {},
): Promise<{ readonly code: number; readonly result: RunResult }> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let received: keyof typeof exitCodes | undefined;
  const onSignal = (signal: keyof typeof exitCodes): void => {
    if (received) {
      exit(exitCodes[signal]);
      return;
    }
    received = signal;
    void runner.stop({ deadlineMs: options.deadlineMs ?? 25_000 });
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const result = await runner.run(runOptions);
    return { code: received ? exitCodes[received] : 0, result };
  } finally {
    await options.store?.close();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
