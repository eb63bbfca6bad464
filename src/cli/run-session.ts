/**
 * Why: `run`, `worker`, `resume` and `demo` all do the same thing once they know the pipeline,
 * the store and the run: start a Runner under signal handling (the first Ctrl-C drains, the
 * second exits), optionally serve the monitoring API and dashboard beside it, show progress on
 * stderr, and end with the result on stdout and the documented exit code: 0 done, 1 items dead,
 * 130 / 143 after SIGINT / SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createLogger, createMetrics, renderRunSummary } from '../observe/index.js';
import { Runner, runUntilSignal, type Pipeline, type RunOptions } from '../runtime/index.js';
import { breakerControl, createServer, parseTokenList, type ApiToken } from '../server/index.js';
import type { Store } from '../store/index.js';
import { printJson, type CliIo } from './io.js';
import { progressView, type ProgressFrame } from './progress-view.js';
import type { RunConfig } from './run-config.js';

export interface RunSessionOptions {
  readonly io: CliIo;
  readonly store: Store;
  readonly pipeline: Pipeline;
  readonly config: RunConfig;
  readonly run: RunOptions<unknown>;
  readonly json: boolean;
  /** stderr for progress, default process.stderr. */
  readonly progress?: { readonly write: (text: string) => void; readonly isTTY: boolean };
  /** Default 1000 ms on a TTY, 5000 ms otherwise. */
  readonly progressEveryMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * After the run, keep the dashboard and API up until Ctrl-C / SIGTERM (the demo on a TTY), so
   * the URL printed at the end still works.
   */
  readonly keepServing?: boolean;
  /** Runs after the result is printed, before keepServing waits (the demo's next steps). */
  readonly afterRun?: () => Promise<void>;
}

export interface RunSessionResult {
  readonly exitCode: number;
  readonly runId: string;
  readonly status: string;
}

export async function runSession(options: RunSessionOptions): Promise<RunSessionResult> {
  const { io, store, pipeline, config } = options;
  const env = options.env ?? process.env;
  const stderr = options.progress ?? {
    write: (t: string) => void process.stderr.write(t),
    isTTY: process.stderr.isTTY === true,
  };
  const live = stderr.isTTY && env.CI !== 'true' && !options.json;
  const color = live && env.NO_COLOR === undefined;
  const logger =
    config.logLevel === 'silent'
      ? pino({ level: 'silent' })
      : createLogger({
          level: config.logLevel as 'warn',
          destination: pino.destination(2),
        }).component('runtime');
  const metrics = createMetrics();
  const runner = new Runner({ store, pipeline, logger, metrics });

  let server: ReturnType<typeof createServer> | undefined;
  let dashboardUrl = '';
  if (config.serve) {
    const { tokens, generated } = serverTokens(env);
    server = createServer({
      store,
      tokens,
      metrics,
      health: () => runner.health(),
      breakers: breakerControl(() => runner.breakerRegistries()),
      logger: pino({ level: 'silent' }),
    });
    const url = await server.listen({ host: config.host, port: config.port });
    const fragment = generated ? `#token=${generated}` : '';
    dashboardUrl = `${url}/dashboard/${fragment}`;
    stderr.write(
      `sluice: dashboard ${url}/dashboard/${fragment}\nsluice: API ${url}/api/v1 (token ${generated ? `${generated}, generated for this run` : 'from SLUICE_API_TOKEN(S)'}), metrics ${url}/metrics\n`,
    );
  }

  const view = progressView({ write: stderr.write, live, color });
  const every = options.progressEveryMs ?? (live ? 1000 : 5000);
  let runId: string | undefined = options.run.runId;
  let last: { at: number; finished: number } | undefined;
  const tick = async () => {
    if (runId === undefined) return;
    const counts = await store.counts(runId);
    const finished = Object.values(counts).reduce(
      (n, c) => n + c.completed + c.dead + c.skipped,
      0,
    );
    const at = Date.now();
    const frame: ProgressFrame = {
      runId,
      counts,
      ratePerSecond:
        last === undefined
          ? undefined
          : ((finished - last.finished) * 1000) / Math.max(1, at - last.at),
      breakers: openBreakers(runner),
    };
    last = { at, finished };
    view.draw(frame);
  };
  const timer = setInterval(() => void tick().catch(() => undefined), every);
  timer.unref();
  let code: number;
  let result;
  try {
    ({ code, result } = await runUntilSignal(runner, options.run, {
      deadlineMs: config.shutdownDeadlineMs,
    }));
    runId = result.runId;
  } finally {
    clearInterval(timer);
    if (server && options.keepServing !== true) await server.close();
  }
  if (!options.json && runId !== undefined) await tick().catch(() => undefined);
  view.close();
  const dead = Object.values(result.counts).reduce((n, c) => n + c.dead, 0);
  const exitCode = code !== 0 ? code : dead > 0 ? 1 : 0;
  if (options.json) {
    printJson(io, {
      runId: result.runId,
      status: result.status,
      exitCode,
      counts: result.counts,
      summary: result.summary ?? null,
    });
  } else {
    if (result.summary) io.stdout(`${renderRunSummary(result.summary)}\n`);
    io.stdout(
      `\nrun ${result.runId}: ${result.status}${dead > 0 ? `, ${dead} items dead (sluice dlq list ${result.runId})` : ''}\n`,
    );
    if (result.status === 'stopped')
      io.stdout('stopped early: run the same command again to resume\n');
  }
  await options.afterRun?.();
  if (server && options.keepServing === true) {
    if (result.status !== 'stopped') {
      stderr.write(`sluice: the dashboard stays up at ${dashboardUrl}; Ctrl-C to exit\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
    await server.close();
  }
  return { exitCode, runId: result.runId, status: result.status };
}

function openBreakers(runner: Runner): string[] {
  const found: string[] = [];
  for (const { service, registry } of runner.breakerRegistries()) {
    for (const [key, breaker] of registry.entries(service)) {
      if (breaker.state !== 'CLOSED')
        found.push(`${service}${key ? ` ${key}` : ''}: ${breaker.state.toLowerCase()}`);
    }
  }
  return found;
}

/** Tokens from SLUICE_API_TOKENS / SLUICE_API_TOKEN, or one admin token made for this run. */
function serverTokens(env: NodeJS.ProcessEnv): { tokens: ApiToken[]; generated?: string } {
  const tokens = env.SLUICE_API_TOKENS
    ? parseTokenList(env.SLUICE_API_TOKENS, 'SLUICE_API_TOKENS')
    : [];
  if (env.SLUICE_API_TOKEN)
    tokens.push({ name: 'default', scope: 'admin', secret: env.SLUICE_API_TOKEN });
  if (tokens.length > 0) return { tokens };
  const generated = randomBytes(18).toString('base64url');
  return { tokens: [{ name: 'run', scope: 'admin', secret: generated }], generated };
}
