/**
 * What every library's child process of the `policies` benchmark shares: the workload, the
 * equivalent configuration, the timing loop and the memory probe. One child per library
 * (bench/policies/<lib>.ts), so no library's JIT state, GC pressure or timers touch another's.
 *
 * A child prints one JSON line per case to stdout:
 * `{"suite":"policies","case":"retry","lib":"sluice","backend":"memory","ns_per_call":...}`
 * (`bytes` instead of `ns_per_call` for `keys_10k`). Flags:
 * - `--iterations N`: calls per timed run (default: calibrated to `--run-ms`);
 * - `--runs R`: timed runs per case, interleaved across cases, median reported (default 7);
 * - `--run-ms MS`: target duration of one timed run when calibrating (default 100);
 * - `--scale S`: multiplies run-ms (the suite passes 0.1 for `--quick`).
 *
 * Method: each case is warmed up (until ~200 ms have run, or once with --iterations), then the
 * cases take turns, R times, each running `await call()` N times in a row (one call in flight:
 * the cost of the policy, not of the event loop's concurrency). A run's figure is its elapsed
 * time over N; the reported figure is the median run. `baseline` is `await fn()` itself.
 */

/** The async no-op every library runs. */
export const work = async (): Promise<void> => {};

/** A call that fails, to trip breakers for `open_fast_fail`. */
export const failing = (): Promise<never> => Promise.reject(new Error('down'));

/** A call that never settles, to fill bulkheads for `bulkhead_full`. */
export const hanging = (): Promise<never> => new Promise<never>(() => {});

/** The cases whose every call is refused by design (the others must succeed). */
export const rejectingCases: ReadonlySet<string> = new Set([
  'open_fast_fail',
  'bulkhead_full',
  'limiter_exhausted',
  'keyed_open_fast_fail',
]);

/** `keys[0]`, `keys[1]`, ... round and round: the host a keyed case's next call goes to. */
export function cycle(keys: readonly string[]): () => string {
  let i = 0;
  return () => {
    i = i + 1 === keys.length ? 0 : i + 1;
    return keys[i]!;
  };
}

/** The configuration each library's policies get, as close to equivalent as the APIs allow. */
export const config = {
  retryMaxAttempts: 3,
  /** Never fires: the workload settles in well under a microsecond. */
  timeoutMs: 1000,
  breaker: { failureRate: 0.5, windowSize: 100, minimumCalls: 20, openMs: 30_000 },
  /** The `open_fast_fail` breaker stays open for the whole run. */
  fastFailOpenMs: 600_000,
  bulkhead: { maxConcurrent: 10, maxQueued: 100 },
  /** High enough never to limit. */
  limiterPerSecond: 1e9,
  keys: 10_000,
  /** Hosts the keyed cases spread their calls over (one breaker each, all open for the fast fail). */
  keyedHosts: Array.from({ length: 100 }, (_, i) => `host-${i}.example.com`),
  /** The `limiter_exhausted` limiter: one token, then one every 1000 s, and it never waits. */
  exhaustedPerSecond: 0.001,
} as const;

export type Call = () => Promise<unknown>;

export interface ChildCases {
  readonly lib: string;
  /** Case name -> the call one iteration makes; `baseline` is added by the harness. */
  readonly cases: Record<string, Call>;
  /**
   * Builds 10,000 per-key breakers for `keys` and gives each one successful call; returns what
   * must stay reachable while the heap is measured, and a disposer for timers.
   */
  readonly keyed?: (keys: readonly string[]) => Promise<{ hold: unknown; dispose?: () => void }>;
  /** Cases reported with another case's figures (opossum: `composed` is its `breaker`). */
  readonly aliases?: Record<string, string>;
}

interface Flags {
  iterations: number | undefined;
  runs: number;
  runMs: number;
}

function flags(argv: readonly string[]): Flags {
  const value = (name: string): number | undefined => {
    const at = argv.indexOf(name);
    if (at === -1) return undefined;
    const n = Number(argv[at + 1]);
    if (!(n > 0)) throw new Error(`${name} needs a positive number, got ${argv[at + 1]}`);
    return n;
  };
  return {
    iterations: value('--iterations'),
    runs: value('--runs') ?? 7,
    runMs: (value('--run-ms') ?? 100) * (value('--scale') ?? 1),
  };
}

/** Runs `call` n times, one in flight; returns ns per call. Rejecting cases reject (see above). */
async function loop(call: Call, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    try {
      await call();
    } catch {
      // the rejectingCases reject by design; no other case rejects (checked before timing)
    }
  }
  return Number(process.hrtime.bigint() - start) / n;
}

/** Warms `call` up for ~warmMs and returns the iterations for a run of ~runMs. */
async function calibrate(call: Call, warmMs: number, runMs: number): Promise<number> {
  let n = 1000;
  let spent = 0;
  let ns = 0;
  while (spent < warmMs * 1e6) {
    ns = await loop(call, n);
    spent += ns * n;
    n *= 2;
  }
  return Math.max(1000, Math.round((runMs * 1e6) / ns));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function line(lib: string, name: string, figures: Record<string, number | string>): void {
  const record = { suite: 'policies', case: name, lib, backend: 'memory', ...figures };
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

/** Checks every case once (only the rejectingCases may reject), times them, probes memory. */
export async function runChild(child: ChildCases, argv = process.argv.slice(2)): Promise<void> {
  const f = flags(argv);
  const cases: [string, Call][] = [['baseline', work], ...Object.entries(child.cases)];
  for (const [name, call] of cases) {
    const rejected = await call().then(
      () => false,
      () => true,
    );
    if (rejected !== rejectingCases.has(name)) {
      throw new Error(`${child.lib} ${name}: ${rejected ? 'rejected' : 'did not reject'}`);
    }
  }
  const iterations = new Map<string, number>();
  for (const [name, call] of cases) {
    if (f.iterations === undefined) {
      iterations.set(name, await calibrate(call, Math.max(20, 2 * f.runMs), f.runMs));
    } else {
      await loop(call, f.iterations);
      iterations.set(name, f.iterations);
    }
  }
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let run = 0; run < f.runs; run++) {
    for (const [name, call] of cases) {
      samples.get(name)!.push(await loop(call, iterations.get(name)!));
    }
  }
  const figures = (name: string) => ({
    ns_per_call: Math.round(median(samples.get(name)!) * 10) / 10,
    iterations: iterations.get(name)!,
    runs: f.runs,
  });
  for (const [name] of cases) line(child.lib, name, figures(name));
  for (const [alias, name] of Object.entries(child.aliases ?? {})) {
    line(child.lib, alias, { ...figures(name), same_as: name });
  }
  if (child.keyed !== undefined) line(child.lib, 'keys_10k', await keyedBytes(child.keyed));
}

/**
 * Memory for `config.keys` per-key breakers, each used once: growth of the V8 heap plus external
 * memory (typed arrays' backing stores live outside the heap), between forced full GCs before
 * and after the build. Measured once per process (a second build in the same process is skewed
 * by the first one's garbage); the suite takes the median over its processes.
 */
async function keyedBytes(
  build: NonNullable<ChildCases['keyed']>,
): Promise<Record<string, number>> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('keys_10k needs node --expose-gc');
  const keys = Array.from({ length: config.keys }, (_, i) => `host-${i}.example.com`);
  const used = () => {
    for (let i = 0; i < 3; i++) gc();
    const usage = process.memoryUsage();
    return { heap: usage.heapUsed, external: usage.external };
  };
  const before = used();
  const built = await build(keys);
  const after = used();
  if (built.hold === undefined) throw new Error('keyed build returned nothing to hold');
  built.dispose?.();
  const heap = after.heap - before.heap;
  const external = after.external - before.external;
  return { bytes: heap + external, heap_bytes: heap, external_bytes: external, keys: config.keys };
}
