import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DrillScenario } from '../scenario.js';
import { verifySqlite } from '../verify.js';
import { WorkerProcess, nextCommit } from '../worker-process.js';

/**
 * SIGKILL the runner at random wall-clock moments of a fan-out run on SQLite (2,000 articles x 9
 * images = 20,000 items): some kills land in start-up, seeding and the first migration, most in
 * the middle of work. Each time a new process resumes the run; at the end the store must hold
 * every item completed, the commit ledger no item twice, and the file must pass integrity_check.
 */
export const sigkillSqlite: DrillScenario = {
  name: 'sigkill-sqlite',
  description: 'SIGKILL the runner 20 times at random moments of a 20,000-item run on SQLite',
  async run({ quick, dir }) {
    const articles = quick ? 500 : 2_000;
    const fanout = 9;
    const kills = quick ? 5 : 20;
    const db = join(dir, 'drill.db');
    const ledger = join(dir, 'ledger.txt');
    writeFileSync(ledger, '');
    const config = {
      db,
      ledger,
      runId: 'drill',
      articles,
      fanout,
      workMs: 10,
      leaseMs: 400,
      deadlineMs: 5_000,
    };
    let killed = 0;
    let recovery = 0;
    for (let i = 0; i <= kills; i++) {
      const worker = new WorkerProcess(config);
      const startedAt = performance.now();
      const committed = nextCommit(ledger, worker.exited);
      if (i < kills) {
        // One kill in four lands anywhere in start-up (loading, opening, migrating); the rest
        // up to 0.4 s after the store is open: seeding, claiming, committing.
        let timer: NodeJS.Timeout | undefined;
        if (i % 4 === 0) timer = setTimeout(() => worker.kill('SIGKILL'), Math.random() * 1_500);
        else {
          void worker.line('ready').then(() => {
            timer = setTimeout(() => worker.kill('SIGKILL'), Math.random() * 400);
          });
        }
        const exit = await worker.exited;
        clearTimeout(timer);
        if (exit.signal === 'SIGKILL') killed++;
        else if (exit.code !== 0) throw new Error(`worker exited with ${exit.code}`);
      } else {
        const exit = await worker.exited;
        if (exit.code !== 0) throw new Error(`final worker exited with ${exit.code}`);
      }
      const at = await committed;
      if (i > 0 && at !== undefined) recovery = Math.max(recovery, (at - startedAt) / 1000);
    }
    const verdict = await verifySqlite(db, ledger, 'drill', articles * (1 + fanout));
    return {
      items: verdict.items,
      completed: verdict.completed,
      lost: verdict.lost,
      duplicates: verdict.duplicates,
      executions: verdict.executions,
      recovery_s: Math.round(recovery * 100) / 100,
      kills: killed,
      integrity: verdict.integrity,
      pass:
        killed === kills &&
        verdict.lost === 0 &&
        verdict.duplicates === 0 &&
        verdict.integrity === 'ok' &&
        verdict.executions >= verdict.items,
    };
  },
};
