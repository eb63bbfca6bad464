/**
 * `npm run bench -- queue`: sluice's job queue (embedded SQLite) against BullMQ (Redis), pg-boss
 * and graphile-worker (PostgreSQL). Each library runs in its own child process
 * (bench/queue/<lib>.ts), one after another, so their memory and CPU never mix; this suite
 * starts them, collects the JSON lines they print, and emits them.
 *
 *   burn_down      bulk-enqueue N no-op jobs (enqueue_per_s), then work them all off (process_per_s);
 *                  9 interleaved rounds per library, the median reported (sluice's rounds of
 *                  50,000 last under a second, and single rounds move by ±25% on this machine)
 *   start_latency  an idle worker, a light offered load: enqueue call to handler start, p50/p99
 *   pending_1m     sluice only: RSS of a worker process with 1,000,000 jobs pending (and, for
 *                  comparison, with a few thousand)
 *
 * Every figure line has its library's settings in a separate `config` line. `--quick` scales the
 * counts by 0.1 and runs one round.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions, BenchRecord, BenchSuite } from '../suite.js';

type Line = Record<string, string | number | boolean>;

interface Lib {
  readonly lib: string;
  readonly backend: string;
  /** The child; its defaults are the settings chosen for that library (see its header). */
  readonly script: string;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = (name: string): string =>
  fileURLToPath(new URL(`../queue/${name}`, import.meta.url));

export const libs: readonly Lib[] = [
  { lib: 'sluice', backend: 'sqlite', script: script('sluice.ts') },
  { lib: 'bullmq', backend: 'redis', script: script('bullmq.ts') },
  { lib: 'pg-boss', backend: 'postgres', script: script('pgboss.ts') },
  { lib: 'graphile-worker', backend: 'postgres', script: script('graphile.ts') },
];

/** Runs one child to its end and returns the JSON lines it printed. */
export function runChild(
  file: string,
  args: readonly string[],
  timeoutMs = 20 * 60_000,
): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines: Line[] = [];
      for (const text of out.split('\n')) {
        if (!text.trim()) continue;
        try {
          lines.push(JSON.parse(text) as Line);
        } catch {
          process.stderr.write(`${text}\n`);
        }
      }
      if (code === 0) resolve(lines);
      else reject(new Error(`${file} ${args.join(' ')} exited with ${signal ?? code}`));
    });
  });
}

function median(lines: readonly Line[], key: string): Line {
  const sorted = [...lines].sort((a, b) => Number(a[key]) - Number(b[key]));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

class Emitter {
  readonly #emit: (record: BenchRecord) => void;
  readonly #configs = new Set<string>();

  constructor(emit: (record: BenchRecord) => void) {
    this.#emit = emit;
  }

  /** Emits a child's figure line, and its library's config once per case as a `config` line. */
  line(line: Line, extra: Line = {}): void {
    const { case: name, lib, backend, config, ...figures } = line;
    const head = { suite: 'queue', case: String(name), lib: String(lib), backend: String(backend) };
    if (typeof config === 'string' && !this.#configs.has(`${head.lib} ${head.case} ${config}`)) {
      this.#configs.add(`${head.lib} ${head.case} ${config}`);
      this.#emit({ ...head, case: 'config', for_case: head.case, config });
    }
    this.#emit({ ...head, ...figures, ...extra });
  }

  error(name: string, lib: Lib, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`queue ${name} ${lib.lib}: ${message}\n`);
    this.#emit({ suite: 'queue', case: name, lib: lib.lib, backend: lib.backend, error: message });
  }
}

async function burnDown(out: Emitter, scale: number): Promise<void> {
  const n = Math.max(100, Math.round(50_000 * scale));
  const rounds = scale < 1 ? 1 : 9;
  const results = new Map<Lib, Line[]>(libs.map((lib) => [lib, []]));
  const failed = new Set<Lib>();
  // Rounds interleave the libraries, so a noisy neighbour hurts them all alike.
  for (let round = 0; round < rounds; round++) {
    for (const lib of libs) {
      if (failed.has(lib)) continue;
      try {
        const args = ['--case', 'burn_down', '--n', String(n)];
        results.get(lib)!.push(...(await runChild(lib.script, args)));
      } catch (error) {
        failed.add(lib);
        out.error('burn_down', lib, error);
      }
    }
  }
  for (const [lib, lines] of results) {
    if (failed.has(lib) || lines.length === 0) continue;
    out.line(median(lines, 'process_per_s'), {
      rounds: lines.length,
      process_per_s_rounds: lines.map((l) => l.process_per_s).join(' '),
      enqueue_per_s_rounds: lines.map((l) => l.enqueue_per_s).join(' '),
    });
  }
}

/**
 * The same burn-down with metrics, tracing (API, no SDK) and info logs on, and with all off,
 * rounds interleaved; ratio = median on / median off throughput (target >= 0.95). 200,000 items
 * and 7 rounds: at ~80k jobs/s a 50,000-item round lasts 0.6 s, and this shared machine's swings
 * moved single rounds by ±25%. cpu_ratio (CPU per job, off / on) is the steadier second opinion.
 */
async function observabilityOverhead(out: Emitter, scale: number): Promise<void> {
  const sluice = libs[0]!;
  const n = Math.max(100, Math.round(200_000 * scale));
  const rounds = scale < 1 ? 1 : 7;
  const on: Line[] = [];
  const off: Line[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [mode, lines] of [
        ['on', on],
        ['off', off],
      ] as const) {
        const args = ['--case', 'burn_down', '--n', String(n), '--observe', mode];
        lines.push(...(await runChild(sluice.script, args)));
      }
    }
  } catch (error) {
    out.error('observability_overhead', sluice, error);
    return;
  }
  const onMedian = Number(median(on, 'process_per_s').process_per_s);
  const offMedian = Number(median(off, 'process_per_s').process_per_s);
  const cpu = (lines: Line[]) => Number(median(lines, 'client_cpu_s').client_cpu_s);
  out.line(
    { case: 'observability_overhead', lib: 'sluice', backend: 'sqlite' },
    {
      n,
      rounds,
      on_process_per_s: onMedian,
      off_process_per_s: offMedian,
      ratio: Math.round((onMedian / offMedian) * 1000) / 1000,
      cpu_ratio: Math.round((cpu(off) / cpu(on)) * 1000) / 1000,
      on_rounds: on.map((l) => l.process_per_s).join(' '),
      off_rounds: off.map((l) => l.process_per_s).join(' '),
    },
  );
}

async function startLatency(out: Emitter, scale: number): Promise<void> {
  const seconds = String(Math.max(0.5, 5 * scale));
  const runs: [Lib, string[]][] = libs.map((lib) => [lib, []]);
  // What the engine could do with a short poll; the default (250 ms) is the headline.
  runs.push([libs[0]!, ['--pollMs', '5']]);
  for (const [lib, extra] of runs) {
    try {
      const args = ['--case', 'start_latency', '--rate', '100', '--seconds', seconds, ...extra];
      for (const line of await runChild(lib.script, args)) out.line(line);
    } catch (error) {
      out.error('start_latency', lib, error);
    }
  }
}

async function pendingMillion(out: Emitter, scale: number): Promise<void> {
  const sluice = libs[0]!;
  const after = Math.max(200, Math.round(10_000 * scale));
  // The same worker on a small backlog, to show memory does not grow with the pending count.
  for (const pending of [Math.round(1_000_000 * scale), 2 * after]) {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-qbench-pending-'));
    try {
      const db = join(dir, 'queue.db');
      const common = ['--case', 'pending_1m', '--db', db, '--n', String(pending)];
      const [fill] = await runChild(sluice.script, [...common, '--phase', 'fill']);
      const lines = await runChild(sluice.script, [
        ...common,
        ...['--phase', 'work', '--after', String(after)],
      ]);
      for (const line of lines) {
        out.line(line, {
          enqueue_per_s: Number(fill?.enqueue_per_s ?? Number.NaN),
          fill_s: Number(fill?.fill_s ?? Number.NaN),
        });
      }
    } catch (error) {
      out.error('pending_1m', sluice, error);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

export const queueSuite: BenchSuite = {
  description:
    'job queue: sluice (SQLite) vs BullMQ, pg-boss, graphile-worker: burn-down, start latency, 1M pending',
  async run(emit, options: BenchOptions) {
    const out = new Emitter(emit);
    await burnDown(out, options.scale);
    await startLatency(out, options.scale);
    await pendingMillion(out, options.scale);
    await observabilityOverhead(out, options.scale);
  },
};
