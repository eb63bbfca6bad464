/**
 * Store micro-benchmark: the engine's hot path without the engine. Seeds items, then loops
 * claim(500) -> commit(500 outcomes) on one SQLite file, as one worker would, and reports items/s
 * end to end (wall and CPU time) plus the mean milliseconds of one claim and one commit batch.
 * Cases:
 * - seed: seedItems in batches of 5,000;
 * - claim_commit: no-op items completed (the engine's target is >= 50,000 items/s);
 * - claim_commit_fanout: each completion emits one next-stage item in the same transaction;
 * - claim_commit_full: as claim_commit with durability 'full' (fsync on every commit).
 */
import { rmSync } from 'node:fs';
import { createTempSqlite } from '../../src/testing/index.js';
import { createSqliteStore, type Outcome, type Store } from '../../src/store/index.js';
import type { BenchRecord, BenchSuite } from '../suite.js';

const batch = 500;

function record(name: string, figures: Record<string, number>): BenchRecord {
  return { suite: 'store', case: name, lib: 'sluice', backend: 'sqlite', ...figures };
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

async function seed(store: Store, runId: string, total: number, now: number): Promise<number> {
  const started = performance.now();
  for (let offset = 0; offset < total; offset += 5000) {
    const items = [];
    for (let i = offset; i < Math.min(total, offset + 5000); i++) {
      items.push({ id: `item-${i}`, input: { i, url: `https://example.com/${i}` } });
    }
    await store.seedItems(runId, 'fetch', items, now);
  }
  return performance.now() - started;
}

async function claimCommit(
  store: Store,
  runId: string,
  total: number,
  fanout: boolean,
): Promise<{ ms: number; cpuUs: number; claimMs: number; commitMs: number; batches: number }> {
  let done = 0;
  let claimMs = 0;
  let commitMs = 0;
  let batches = 0;
  let now = 2_000;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  while (done < total) {
    let t = performance.now();
    const claimed = await store.claim({
      runId,
      stage: 'fetch',
      owner: 'bench',
      limit: batch,
      leaseMs: 30_000,
      now: now++,
    });
    claimMs += performance.now() - t;
    if (claimed.length === 0) throw new Error(`nothing to claim after ${done}`);
    const outcomes: Outcome[] = claimed.map((lease) => ({
      kind: 'complete',
      lease,
      output: null,
      ...(fanout
        ? { next: { stage: 'store', items: [{ id: lease.id, input: { ok: true } }] } }
        : {}),
    }));
    t = performance.now();
    const result = await store.commit(outcomes, now++);
    commitMs += performance.now() - t;
    if (result.applied !== claimed.length) throw new Error('fenced in a single-worker bench');
    done += claimed.length;
    batches++;
  }
  const cpu = process.cpuUsage(cpuStarted);
  return {
    ms: performance.now() - started,
    cpuUs: cpu.user + cpu.system,
    claimMs,
    commitMs,
    batches,
  };
}

export const suite: BenchSuite = {
  description: 'SQLite store: seed, then claim(500) -> commit(500) loops on one file',
  async run(emit, { scale }) {
    const total = Math.max(5000, Math.round(100_000 * scale));
    const cases = [
      { name: 'claim_commit', fanout: false, durability: 'normal' as const },
      { name: 'claim_commit_fanout', fanout: true, durability: 'normal' as const },
      { name: 'claim_commit_full', fanout: false, durability: 'full' as const },
    ];
    for (const c of cases) {
      const temp = createTempSqlite();
      try {
        const store = await createSqliteStore({ path: temp.path, durability: c.durability });
        const runId = `bench-${c.name}`;
        await store.createRun({ id: runId, pipeline: 'bench', pipelineVersion: '1' }, 1_000);
        const seedMs = await seed(store, runId, total, 1_000);
        if (c.name === 'claim_commit') {
          emit(record('seed', { items: total, items_per_s: Math.round(total / (seedMs / 1000)) }));
        }
        const r = await claimCommit(store, runId, total, c.fanout);
        emit(
          record(c.name, {
            items: total,
            batch,
            items_per_s: Math.round(total / (r.ms / 1000)),
            // CPU time is steadier than wall time on a shared machine: items/s of one busy core.
            cpu_us_per_item: round(r.cpuUs / total, 2),
            items_per_cpu_s: Math.round(total / (r.cpuUs / 1e6)),
            claim_ms_per_batch: round(r.claimMs / r.batches),
            commit_ms_per_batch: round(r.commitMs / r.batches),
          }),
        );
        await store.close();
      } finally {
        temp.cleanup();
        rmSync(temp.dir, { recursive: true, force: true });
      }
    }
  },
};
