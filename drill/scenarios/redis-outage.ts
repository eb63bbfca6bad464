import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createSqliteStore } from '../../src/store/index.js';
import { freePort } from '../../src/testing/free-port.js';
import { OwnedRedisServer, redisServerAvailable } from '../../src/testing/redis-server.js';
import type { DrillScenario } from '../scenario.js';
import { verifySqlite } from '../verify.js';
import { WorkerProcess, nextCommit } from '../worker-process.js';

/**
 * A drill-owned Redis holds the fleet's limit and breaker; it is SIGKILLed mid-run and started
 * again after a while. The worker must keep going on local limits (one `fallback`), rejoin
 * (`rejoin`) once Redis is back, and finish with nothing dead, lost or committed twice.
 */
export const redisOutage: DrillScenario = {
  name: 'redis-outage',
  description: 'stop a drill-owned Redis mid-run: local limits, then rejoin',
  unavailable: () => (redisServerAvailable() ? undefined : 'no redis-server binary on PATH'),
  async run({ quick, dir }) {
    const articles = quick ? 100 : 400;
    const fanout = 9;
    const outageMs = quick ? 1_500 : 5_000;
    const server = new OwnedRedisServer(await freePort());
    await server.start();
    const db = join(dir, 'drill.db');
    const ledger = join(dir, 'ledger.txt');
    writeFileSync(ledger, '');
    try {
      const worker = new WorkerProcess({
        db,
        ledger,
        runId: 'drill',
        articles,
        fanout,
        workMs: 2,
        leaseMs: 30_000,
        deadlineMs: 5_000,
        redisUrl: server.url,
        ratePerSecond: quick ? 200 : 400,
      });
      await nextCommit(ledger, worker.exited);
      await server.stop();
      await delay(outageMs);
      await server.start();
      const backAt = performance.now();
      const rejoin = await Promise.race([
        worker.line('rejoin'),
        worker.exited.then(() => undefined),
      ]);
      const rejoinedAt = performance.now();
      const exit = await worker.exited;
      const verdict = await verifySqlite(db, ledger, 'drill', articles * (1 + fanout));
      const store = await createSqliteStore({ path: db });
      const counts = await store.counts('drill');
      await store.close();
      const dead = Object.values(counts).reduce((sum, stage) => sum + stage.dead, 0);
      const fallbacks = worker.lines.filter((line) => line.startsWith('fallback')).length;
      return {
        items: verdict.items,
        completed: verdict.completed,
        lost: verdict.lost,
        duplicates: verdict.duplicates,
        executions: verdict.executions,
        recovery_s: rejoin === undefined ? -1 : Math.round((rejoinedAt - backAt) / 10) / 100,
        outage_s: outageMs / 1000,
        fallbacks,
        rejoined: rejoin !== undefined,
        dead,
        pass:
          exit.code === 0 &&
          fallbacks === 1 &&
          rejoin !== undefined &&
          dead === 0 &&
          verdict.lost === 0 &&
          verdict.duplicates === 0,
      };
    } finally {
      await server.stop();
    }
  },
};
