import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteStore } from '../../src/store/index.js';
import type { DrillScenario } from '../scenario.js';
import { verifySqlite } from '../verify.js';
import { WorkerProcess, nextCommit } from '../worker-process.js';

/**
 * SIGTERM under load (handlers of 50 ms, 32 in flight): the worker must stop claiming, let the
 * in-flight items finish within its deadline, leave nothing leased, and exit 143; a second
 * process then finishes the run with nothing lost and nothing committed twice.
 */
export const gracefulSigterm: DrillScenario = {
  name: 'graceful-sigterm',
  description: 'SIGTERM under load: in-flight items finish within the deadline, exit 143',
  async run({ quick, dir }) {
    const articles = quick ? 100 : 500;
    const fanout = 9;
    const deadlineMs = 5_000;
    const db = join(dir, 'drill.db');
    const ledger = join(dir, 'ledger.txt');
    writeFileSync(ledger, '');
    const config = {
      db,
      ledger,
      runId: 'drill',
      articles,
      fanout,
      workMs: 50,
      leaseMs: 30_000,
      deadlineMs,
    };
    const first = new WorkerProcess(config);
    await nextCommit(ledger, first.exited);
    const signalledAt = performance.now();
    first.kill('SIGTERM');
    const exit = await first.exited;
    const stopS = (performance.now() - signalledAt) / 1000;
    const store = await createSqliteStore({ path: db });
    const counts = await store.counts('drill');
    await store.close();
    const leased = Object.values(counts).reduce((sum, stage) => sum + stage.leased, 0);

    const second = new WorkerProcess(config);
    const startedAt = performance.now();
    const resumed = await nextCommit(ledger, second.exited);
    const final = await second.exited;
    const verdict = await verifySqlite(db, ledger, 'drill', articles * (1 + fanout));
    return {
      items: verdict.items,
      completed: verdict.completed,
      lost: verdict.lost,
      duplicates: verdict.duplicates,
      executions: verdict.executions,
      recovery_s: resumed === undefined ? -1 : Math.round((resumed - startedAt) / 10) / 100,
      exit_code: exit.code ?? -1,
      stop_s: Math.round(stopS * 100) / 100,
      left_leased: leased,
      pass:
        exit.code === 143 &&
        stopS <= deadlineMs / 1000 + 1 &&
        leased === 0 &&
        final.code === 0 &&
        verdict.lost === 0 &&
        verdict.duplicates === 0,
    };
  },
};
