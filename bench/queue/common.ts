/**
 * What every queue benchmark child shares: its command line, the JSON line it prints, the
 * offered-load loop of `start_latency`, percentiles, and waits. A child prints one JSON object
 * per line on stdout (`{"case","lib","backend",...figures,"config"}`) and notes on stderr.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export type Figures = Record<string, string | number | boolean>;

export interface ChildArgs {
  readonly case: string;
  /** Jobs to enqueue (burn_down, pending_1m). */
  readonly n: number;
  /** Offered load of start_latency, jobs per second. */
  readonly rate: number;
  /** How long start_latency offers its load. */
  readonly seconds: number;
  /** Anything else, `--key value`. */
  readonly extra: Readonly<Record<string, string>>;
}

export function parseArgs(argv: readonly string[] = process.argv.slice(2)): ChildArgs {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key?.startsWith('--') || value === undefined) {
      throw new Error(`expected --key value pairs, got ${argv.join(' ')}`);
    }
    values[key.slice(2)] = value;
  }
  const num = (key: string, fallback: number): number => {
    const value = values[key] === undefined ? fallback : Number(values[key]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${key} must be a number > 0`);
    return value;
  };
  const { case: name = 'burn_down', n: _n, rate: _r, seconds: _s, ...extra } = values;
  return {
    case: name,
    n: Math.round(num('n', 50_000)),
    rate: num('rate', 100),
    seconds: num('seconds', 5),
    extra,
  };
}

/** Prints one result line. `config` is the library's settings, as JSON text. */
export function report(
  lib: string,
  backend: string,
  name: string,
  figures: Figures,
  config: object,
): void {
  const line = { case: name, lib, backend, ...figures, config: JSON.stringify(config) };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export function note(message: string): void {
  process.stderr.write(`[queue bench ${process.pid}] ${message}\n`);
}

export const round = (value: number, digits = 1): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Resident set size now and at its peak (the peak as the kernel counts it), in MB. */
export function memory(): { rss_mb: number; max_rss_mb: number; heap_used_mb: number } {
  const usage = process.memoryUsage();
  return {
    rss_mb: round(usage.rss / 2 ** 20),
    max_rss_mb: round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
    heap_used_mb: round(usage.heapUsed / 2 ** 20),
  };
}

/** CPU this process used since `since` (user + system), in seconds. */
export function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return round((used.user + used.system) / 1e6, 2);
}

/** Resolves once `check()` is true, checking every `everyMs`; rejects after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  { everyMs = 5, timeoutMs = 600_000 } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Rejects with `message()` if `promise` has not settled within `ms`. */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  message: () => string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message())), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A counter whose `reached(n)` resolves once it has been incremented n times. */
export class Counter {
  value = 0;
  #target = Infinity;
  #resolve: (() => void) | undefined;

  add(amount = 1): void {
    this.value += amount;
    if (this.value >= this.#target) this.#resolve?.();
  }

  reached(target: number): Promise<void> {
    this.#target = target;
    if (this.value >= target) return Promise.resolve();
    return new Promise((resolve) => (this.#resolve = resolve));
  }
}

/** Splits `n` jobs into chunks of `size`, calling `add(from, count)` for each, in order. */
export async function inChunks(
  n: number,
  size: number,
  add: (from: number, count: number) => Promise<unknown>,
): Promise<void> {
  for (let from = 0; from < n; from += size) await add(from, Math.min(size, n - from));
}

/** The payload of a start_latency job: when its enqueue call began (performance.now()). */
export interface LatencyPayload {
  readonly i: number;
  readonly t: number;
}

/**
 * The start_latency case, the same for every library: with the worker idle and waiting, offers
 * `rate` jobs per second for `seconds`, one enqueue call each, on a fixed schedule (not
 * back-to-back), and records from just before the enqueue call to the handler's first line.
 * The handler calls `started(payload)`. A few warm-up jobs run first and are not counted.
 */
export async function offerLoad(options: {
  readonly rate: number;
  readonly seconds: number;
  readonly enqueue: (payload: LatencyPayload) => Promise<unknown>;
  /** Set by offerLoad: what the handler must call with its payload. */
  readonly bind: (started: (payload: LatencyPayload) => void) => void;
}): Promise<Figures> {
  const latencies: number[] = [];
  let warm = 0;
  const measured = new Counter();
  options.bind((payload) => {
    const latency = performance.now() - payload.t;
    if (payload.i < 0) warm++;
    else {
      latencies.push(latency);
      measured.add();
    }
  });
  // Warm-up: connections open, statements prepared, the worker has run once and is idle again.
  for (let i = 1; i <= 5; i++) {
    await options.enqueue({ i: -i, t: performance.now() });
    await waitFor('warm-up job', () => warm >= i, { everyMs: 2, timeoutMs: 30_000 });
  }
  await sleep(1000);
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const interval = 1000 / options.rate;
  const begin = performance.now();
  let enqueueMs = 0;
  for (let i = 0; i < total; i++) {
    const due = begin + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const t = performance.now();
    await options.enqueue({ i, t });
    enqueueMs += performance.now() - t;
  }
  await withTimeout(measured.reached(total), 30_000, () => {
    return `only ${measured.value} of ${total} latency jobs started within 30 s`;
  });
  latencies.sort((a, b) => a - b);
  return {
    jobs: total,
    offered_per_s: options.rate,
    p50_ms: round(percentile(latencies, 50), 2),
    p90_ms: round(percentile(latencies, 90), 2),
    p99_ms: round(percentile(latencies, 99), 2),
    max_ms: round(latencies[latencies.length - 1]!, 2),
    enqueue_call_ms: round(enqueueMs / total, 3),
  };
}
