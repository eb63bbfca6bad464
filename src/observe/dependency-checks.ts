/**
 * Why: readiness depends on what a worker cannot work without (the database, Redis) and what it
 * can limp along without (an optional cache). Each check is an async function given an
 * AbortSignal; it passes by resolving. A check that hangs must not hang /health/ready, so each
 * runs under a timeout (default 2 s) and all run concurrently.
 */
import { describeValue } from '../errors/index.js';

export interface DependencyCheck {
  readonly name: string;
  /** Resolves when the dependency answers; rejects (or times out) when it does not. */
  readonly check: (signal: AbortSignal) => Promise<unknown>;
  readonly timeoutMs?: number;
  /** A failed critical dependency makes the verdict unhealthy, an optional one degraded. */
  readonly critical?: boolean;
}

export interface DependencyResult {
  readonly name: string;
  readonly ok: boolean;
  readonly critical: boolean;
  readonly durationMs: number;
  readonly error?: string;
}

export interface RunDependencyChecksOptions {
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export async function runDependencyChecks(
  checks: readonly DependencyCheck[],
  options: RunDependencyChecksOptions = {},
): Promise<DependencyResult[]> {
  const now = options.now ?? Date.now;
  return Promise.all(
    checks.map(async (c): Promise<DependencyResult> => {
      const timeoutMs = c.timeoutMs ?? options.timeoutMs ?? 2_000;
      const controller = new AbortController();
      const started = now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new Error(`timed out after ${timeoutMs} ms`);
          controller.abort(error);
          reject(error);
        }, timeoutMs);
      });
      const base = { name: c.name, critical: c.critical ?? true };
      try {
        await Promise.race([Promise.resolve().then(() => c.check(controller.signal)), timeout]);
        return { ...base, ok: true, durationMs: now() - started };
      } catch (error) {
        const message = error instanceof Error ? error.message : describeValue(error);
        return { ...base, ok: false, durationMs: now() - started, error: message };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
