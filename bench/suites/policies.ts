/**
 * Resilience policies (issue #3): sluice against cockatiel and opossum, each library in its own
 * child process (bench/policies/<lib>.ts, see harness.ts for the method). The suite runs the
 * children in turn, several rounds (sluice, cockatiel, opossum, sluice, ...) so that load on a
 * shared machine spreads over all of them, and reports per case and library the median of the
 * rounds' medians. Cases: baseline (`await fn()`), retry, breaker, timeout, bulkhead, limiter,
 * composed (retry + breaker + timeout + bulkhead; opossum: its breaker with its timeout),
 * open_fast_fail (an open breaker rejecting) and keys_10k (bytes for 10,000 per-key breakers).
 *
 * Sluice's lines carry the ratios the issue's targets are stated in, from the same run:
 * `over_baseline_ns` (each policy alone: at most 250), `vs_cockatiel` (composed: at most 0.1),
 * `vs_opossum_breaker` (composed: below 1); keys_10k's target is at most 20 MB.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchRecord, BenchSuite } from '../suite.js';

export const libs = ['sluice', 'cockatiel', 'opossum'] as const;
const caseOrder = [
  'baseline',
  'retry',
  'breaker',
  'timeout',
  'bulkhead',
  'limiter',
  'composed',
  'open_fast_fail',
  'keys_10k',
];
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Runs one library's child and returns its JSON lines. */
export function runChild(lib: string, args: readonly string[] = []): Promise<BenchRecord[]> {
  const script = `bench/policies/${lib}.ts`;
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${script} exited with ${code}:\n${stderr}`));
      else
        resolve(
          stdout
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as BenchRecord),
        );
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

export const suite: BenchSuite = {
  description: 'resilience policies: sluice vs cockatiel vs opossum, one process per library',
  async run(emit, { scale }) {
    const rounds = scale < 1 ? 1 : 5;
    const args = ['--scale', String(scale)];
    const seen = new Map<string, BenchRecord[]>();
    for (let r = 0; r < rounds; r++) {
      for (const lib of libs) {
        for (const record of await runChild(lib, args)) {
          const key = `${record.case}\0${record.lib}`;
          seen.set(key, [...(seen.get(key) ?? []), record]);
        }
      }
    }
    const figure = (name: string, lib: string, field: string): number | undefined => {
      const records = seen.get(`${name}\0${lib}`);
      return records && median(records.map((record) => Number(record[field])));
    };
    for (const name of caseOrder) {
      for (const lib of libs) {
        const records = seen.get(`${name}\0${lib}`);
        if (records === undefined) continue;
        const field = name === 'keys_10k' ? 'bytes' : 'ns_per_call';
        const value = figure(name, lib, field)!;
        const extra: Record<string, number | string | boolean> = {};
        if (name === 'keys_10k') {
          extra.heap_bytes = Math.round(figure(name, lib, 'heap_bytes')!);
          extra.external_bytes = Math.round(figure(name, lib, 'external_bytes')!);
          if (lib === 'sluice') extra.target_met = value <= 20 * 1024 * 1024;
        } else if (lib === 'sluice' && name !== 'baseline') {
          const over = value - figure('baseline', lib, field)!;
          extra.over_baseline_ns = round(over);
          if (name === 'composed') {
            const vsCockatiel = value / figure('composed', 'cockatiel', field)!;
            const vsOpossum = value / figure('breaker', 'opossum', field)!;
            extra.vs_cockatiel = round(vsCockatiel, 3);
            extra.vs_opossum_breaker = round(vsOpossum, 3);
            extra.target_met = vsCockatiel <= 0.1 && vsOpossum < 1;
          } else if (name !== 'open_fast_fail') {
            extra.target_met = over <= 250;
          }
        }
        const sameAs = records[0]!.same_as;
        emit({
          suite: 'policies',
          case: name,
          lib,
          backend: 'memory',
          [field]: name === 'keys_10k' ? Math.round(value) : round(value),
          ...extra,
          ...(sameAs === undefined ? {} : { same_as: sameAs }),
          rounds: records.length,
        });
      }
    }
  },
};
