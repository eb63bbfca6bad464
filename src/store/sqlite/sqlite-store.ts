import type Database from 'better-sqlite3';
import { InvalidConfigError, StoreClosedError } from '../../errors/index.js';
import type { Store } from '../store.js';
import { requireId } from '../validate.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { prepareClaim } from './claim.js';
import { claimedItems } from './claimed.js';
import { prepareCommit } from './commit.js';
import { prepareCounters } from './counters.js';
import { prepareFailures } from './failures.js';
import { prepareInspect } from './inspect.js';
import { prepareLeases } from './leases.js';
import { openSqlite, type SqliteOpenOptions } from './open.js';
import { prepareRuns } from './runs.js';
import { prepareSeed } from './seed.js';
import { prepareServiceState } from './service-state.js';
import { preparePrune } from './prune.js';
import { prepareWorkers } from './workers.js';

export interface SqliteStoreOptions extends SqliteOpenOptions {
  /** The database file, created (and migrated) if missing. */
  readonly path: string;
  /**
   * Who copies the WAL back into the database file. `background` (default): a second connection
   * on a worker thread, every `checkpointIntervalMs`, off the writer's thread (checkpointer.ts),
   * with the writer's own automatic checkpoint raised to 10,000 pages as a backstop. `inline`:
   * SQLite's default, the committing connection past 1000 pages.
   */
  readonly checkpoint?: 'background' | 'inline';
  /** Default 100 ms. */
  readonly checkpointIntervalMs?: number;
}

/**
 * The embedded default Store: one SQLite file in WAL mode through better-sqlite3. Every
 * statement is prepared once, here, by the per-concern modules next to this file; each method
 * is one transaction (IMMEDIATE when it writes more than one statement, so concurrent processes
 * queue on the write lock instead of failing). better-sqlite3 is synchronous: the methods are
 * async only to honour the contract, and a call blocks its thread for the few milliseconds a
 * batch takes (or up to busyTimeoutMs while another process holds the write lock).
 */
export function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  try {
    const path = requireId(options?.path, 'sqlite.path');
    const checkpoint = options.checkpoint ?? 'background';
    if (checkpoint !== 'background' && checkpoint !== 'inline') {
      throw new InvalidConfigError('sqlite.checkpoint', '"background" or "inline"', checkpoint);
    }
    const intervalMs = options.checkpointIntervalMs ?? 100;
    if (!Number.isInteger(intervalMs) || intervalMs < 1) {
      throw new InvalidConfigError('sqlite.checkpointIntervalMs', 'an integer >= 1', intervalMs);
    }
    const db = openSqlite(path, options);
    let checkpointer: Checkpointer | undefined;
    if (checkpoint === 'background') {
      db.pragma(`wal_autocheckpoint = ${backstopPages}`);
      checkpointer = startCheckpointer(path, intervalMs);
    }
    return Promise.resolve(new SqliteStore(db, checkpointer));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** The writer's own automatic checkpoint with a background checkpointer: 40 MB of WAL. */
const backstopPages = 10_000;

type Ops = ReturnType<typeof prepare>;

function prepare(db: Database.Database) {
  const counters = prepareCounters(db);
  const claimed = claimedItems();
  return {
    ...prepareRuns(db),
    ...prepareSeed(db, counters),
    ...prepareClaim(db, counters, claimed),
    ...prepareLeases(db, counters, claimed),
    ...prepareCommit(db, counters, claimed),
    ...prepareInspect(db, counters),
    ...prepareFailures(db, counters),
    ...prepareWorkers(db),
    ...preparePrune(db),
    ...prepareServiceState(db),
  };
}

class SqliteStore implements Store {
  readonly backend = 'sqlite';
  #db: Database.Database | undefined;
  #ops: Ops | undefined;
  readonly #checkpointer: Checkpointer | undefined;

  constructor(db: Database.Database, checkpointer: Checkpointer | undefined) {
    this.#db = db;
    this.#ops = prepare(db);
    this.#checkpointer = checkpointer;
  }

  /** Runs one synchronous operation, turning a throw into a rejection as an async method would. */
  #call<T>(method: string, operation: (ops: Ops) => T): Promise<T> {
    try {
      if (this.#ops === undefined) throw new StoreClosedError(this.backend, method);
      return Promise.resolve(operation(this.#ops));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  createRun: Store['createRun'] = (run, now) =>
    this.#call('createRun', (ops) => ops.createRun(run, now));
  getRun: Store['getRun'] = (runId) => this.#call('getRun', (ops) => ops.getRun(runId));
  listRuns: Store['listRuns'] = (filter, page) =>
    this.#call('listRuns', (ops) => ops.listRuns(filter, page));
  setRunStatus: Store['setRunStatus'] = (runId, status, now) =>
    this.#call('setRunStatus', (ops) => ops.setRunStatus(runId, status, now));
  saveSummary: Store['saveSummary'] = (runId, summary, now) =>
    this.#call('saveSummary', (ops) => ops.saveSummary(runId, summary, now));

  seedItems: Store['seedItems'] = (runId, stage, items, now) =>
    this.#call('seedItems', (ops) => ops.seedItems(runId, stage, items, now));
  claim: Store['claim'] = (request) => this.#call('claim', (ops) => ops.claim(request));
  heartbeat: Store['heartbeat'] = (owner, leases, leaseMs, now) =>
    this.#call('heartbeat', (ops) => ops.heartbeat(owner, leases, leaseMs, now));
  commit: Store['commit'] = (outcomes, now) =>
    this.#call('commit', (ops) => ops.commit(outcomes, now));
  reclaimExpired: Store['reclaimExpired'] = (now, limit, options) =>
    this.#call('reclaimExpired', (ops) => ops.reclaimExpired(now, limit, options));
  nextAvailableAt: Store['nextAvailableAt'] = (runId, stage) =>
    this.#call('nextAvailableAt', (ops) => ops.nextAvailableAt(runId, stage));

  counts: Store['counts'] = (runId) => this.#call('counts', (ops) => ops.counts(runId));
  listItems: Store['listItems'] = (filter, page) =>
    this.#call('listItems', (ops) => ops.listItems(filter, page));
  getItem: Store['getItem'] = (ref) => this.#call('getItem', (ops) => ops.getItem(ref));
  retryHistory: Store['retryHistory'] = (ref) =>
    this.#call('retryHistory', (ops) => ops.retryHistory(ref));

  deadLetters: Store['deadLetters'] = (filter, page) =>
    this.#call('deadLetters', (ops) => ops.deadLetters(filter, page));
  retryDeadLetters: Store['retryDeadLetters'] = (filter, now) =>
    this.#call('retryDeadLetters', (ops) => ops.retryDeadLetters(filter, now));
  resetFailed: Store['resetFailed'] = (runId, options, now) =>
    this.#call('resetFailed', (ops) => ops.resetFailed(runId, options, now));
  cancelRun: Store['cancelRun'] = (runId, now) =>
    this.#call('cancelRun', (ops) => ops.cancelRun(runId, now));

  putCheckpoint: Store['putCheckpoint'] = (runId, name, state, now) =>
    this.#call('putCheckpoint', (ops) => ops.putCheckpoint(runId, name, state, now));
  getCheckpoint: Store['getCheckpoint'] = (runId, name) =>
    this.#call('getCheckpoint', (ops) => ops.getCheckpoint(runId, name));
  listCheckpoints: Store['listCheckpoints'] = (runId) =>
    this.#call('listCheckpoints', (ops) => ops.listCheckpoints(runId));

  saveBreakerState: Store['saveBreakerState'] = (service, key, snapshot, now) =>
    this.#call('saveBreakerState', (ops) => ops.saveBreakerState(service, key, snapshot, now));
  loadBreakerState: Store['loadBreakerState'] = (service, key) =>
    this.#call('loadBreakerState', (ops) => ops.loadBreakerState(service, key));
  recordHealthSample: Store['recordHealthSample'] = (sample) =>
    this.#call('recordHealthSample', (ops) => ops.recordHealthSample(sample));
  listHealthSamples: Store['listHealthSamples'] = (service, since) =>
    this.#call('listHealthSamples', (ops) => ops.listHealthSamples(service, since));
  pruneHealthSamples: Store['pruneHealthSamples'] = (before) =>
    this.#call('pruneHealthSamples', (ops) => ops.pruneHealthSamples(before));

  prune: Store['prune'] = (options, now) => this.#call('prune', (ops) => ops.prune(options, now));

  registerWorker: Store['registerWorker'] = (worker, now) =>
    this.#call('registerWorker', (ops) => ops.registerWorker(worker, now));
  deregisterWorker: Store['deregisterWorker'] = (id) =>
    this.#call('deregisterWorker', (ops) => ops.deregisterWorker(id));
  listWorkers: Store['listWorkers'] = (options) =>
    this.#call('listWorkers', (ops) => ops.listWorkers(options));
  pruneWorkers: Store['pruneWorkers'] = (before) =>
    this.#call('pruneWorkers', (ops) => ops.pruneWorkers(before));

  close = async (): Promise<void> => {
    const db = this.#db;
    this.#db = undefined;
    this.#ops = undefined;
    if (db === undefined) return;
    await this.#checkpointer?.stop();
    db.close();
  };
}
