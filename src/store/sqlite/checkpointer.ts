import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints off the writer's thread. In WAL mode every commit appends pages to the -wal
 * file, and by default the connection that commits past 1000 pages copies them back into the
 * database file right there, inside its COMMIT, fsync included: about 8% of a no-op queue's wall
 * time (bench/RESULTS.md). A second connection on a worker thread runs `wal_checkpoint(PASSIVE)`
 * every `intervalMs` instead, on the other core: PASSIVE never takes the write lock or waits for
 * readers, it copies what it can and the writer restarts the WAL from its start once all of it
 * was copied. The writer keeps an automatic checkpoint at a higher mark as a backstop, should
 * this thread fall behind or die.
 *
 * The thread's code is a few lines of CommonJS given to the Worker as text (no module of ours
 * to load, so it starts in tens of milliseconds, from the sources as from the build); it is
 * unref'd, so a store that is never closed does not keep the process alive.
 */
export interface Checkpointer {
  /** Stops the thread and closes its connection. */
  stop(): Promise<void>;
}

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

const threadCode = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: 0 });
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try { checkpoint.run(); } catch {} // SQLITE_BUSY: another checkpoint runs; try next time
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { checkpoint.run(); } catch {}
  db.close();
  parentPort.close();
});
`;

export function startCheckpointer(path: string, intervalMs: number): Checkpointer {
  const worker = new Worker(threadCode, { eval: true, workerData: { driver, path, intervalMs } });
  worker.unref();
  // A thread that cannot open the file or dies leaves the writer's own automatic checkpoint.
  worker.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop() {
      worker.ref(); // held until it has exited: the caller awaits that
      worker.postMessage('stop');
      return exited;
    },
  };
}
