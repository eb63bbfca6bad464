import type pg from 'pg';
import { InvalidConfigError, StoreClosedError } from '../../errors/index.js';
import type { Store } from '../store.js';
import { requireId, requireInteger, requireObject, requireString } from '../validate.js';
import { prepareClaim } from './claim.js';
import { claimedItems } from './claimed.js';
import { prepareCommit } from './commit.js';
import { prepareCounters } from './counters.js';
import { prepareFailures } from './failures.js';
import { prepareInspect } from './inspect.js';
import { prepareLeases } from './leases.js';
import { migratePostgres, quoteSchema } from './migrate.js';
import { itemsChannel, ItemsNotifications } from './notify.js';
import { createPostgresPool } from './pool.js';
import { prepareRuns } from './runs.js';
import { prepareSeed } from './seed.js';
import { prepareServiceState } from './service-state.js';
import { preparePrune } from './prune.js';
import { prepareWorkers } from './workers.js';
import { typed, type PgContext } from './sql.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`; or give `pool` instead. */
  readonly url?: string;
  /**
   * A pool of your own (then `poolSize`, `statementTimeoutMs` and `applicationName` are yours to
   * set on it, and `close()` leaves it open). Every statement names the schema, so the pool's
   * search_path does not matter.
   */
  readonly pool?: pg.Pool;
  /** The schema every Sluice table lives in, created and migrated if needed. Default `sluice`. */
  readonly schema?: string;
  /** Connections of the store's pool. Default 10. */
  readonly poolSize?: number;
  /** `statement_timeout` of every connection, in ms. Default 30,000; 0 disables it. */
  readonly statementTimeoutMs?: number;
  /** `application_name` of every connection, as pg_stat_activity shows it. Default `sluice`. */
  readonly applicationName?: string;
  /**
   * Wake idle workers across processes with LISTEN/NOTIFY (see notify.ts). Default true; false
   * sends no NOTIFY and holds no LISTEN connection (e.g. behind a pooler in transaction mode,
   * which drops them): workers then find new work by polling alone.
   */
  readonly notify?: boolean;
}

/** The oldest PostgreSQL the store's SQL is written for (MATERIALIZED CTEs, SKIP LOCKED...). */
export const minServerVersion = 130000;

/**
 * The PostgreSQL Store, for fleets: any number of processes on any number of machines on one
 * database. Opening it checks the options, reaches the server (an unreachable server or bad
 * credentials fail here, with the URL, password masked, and the cause), checks its version
 * (13+) and migrates the schema (under an advisory lock, see migrate.ts).
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const o = requireObject<PostgresStoreOptions>(options, 'postgres');
  const schema = o.schema === undefined ? 'sluice' : requireString(o.schema, 'postgres.schema');
  const q = quoteSchema(schema);
  if (o.notify !== undefined && typeof o.notify !== 'boolean') {
    throw new InvalidConfigError('postgres.notify', 'a boolean', o.notify);
  }
  const notify = o.notify ?? true;
  let pool: pg.Pool;
  let owned: boolean;
  let where: string;
  if (o.pool !== undefined) {
    if (typeof (o.pool as { query?: unknown })?.query !== 'function') {
      throw new InvalidConfigError('postgres.pool', 'a pg Pool', o.pool);
    }
    for (const field of ['url', 'poolSize', 'statementTimeoutMs', 'applicationName'] as const) {
      if (o[field] !== undefined) {
        throw new InvalidConfigError(
          `postgres.${field}`,
          'absent when a pool is given (set it on the pool)',
          o[field],
        );
      }
    }
    pool = o.pool;
    owned = false;
    where = 'the given pool';
  } else {
    const url = requireId(o.url, 'postgres.url');
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new InvalidConfigError(
        'postgres.url',
        'a postgres:// or postgresql:// URL',
        maskUrl(url),
      );
    }
    const poolSize = requireInteger(o.poolSize ?? 10, 'postgres.poolSize', 1, 1000);
    const statementTimeoutMs = requireInteger(
      o.statementTimeoutMs ?? 30_000,
      'postgres.statementTimeoutMs',
      0,
      2 ** 31 - 1,
    );
    const applicationName = requireString(
      o.applicationName ?? 'sluice',
      'postgres.applicationName',
    );
    if (!/^[\x20-\x7e]{1,63}$/.test(applicationName)) {
      throw new InvalidConfigError(
        'postgres.applicationName',
        'at most 63 printable ASCII characters',
        applicationName,
      );
    }
    pool = createPostgresPool({
      url,
      schema,
      maxConnections: poolSize,
      statementTimeoutMs,
      applicationName,
    });
    owned = true;
    where = maskUrl(url);
  }
  try {
    await checkServer(pool, where);
    await migratePostgres(pool, schema);
  } catch (error) {
    if (owned) await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresStore(pool, owned, schema, q, notify);
}

/** The URL with its password (if any) replaced by `***`, for messages and logs. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

async function checkServer(pool: pg.Pool, where: string): Promise<void> {
  let version: number;
  let text: string;
  try {
    const { rows } = await pool.query<{ num: string; text: string }>(
      `SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS text`,
    );
    version = Number(rows[0]!.num);
    text = rows[0]!.text;
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new InvalidConfigError(
      'postgres.url',
      `a reachable PostgreSQL server that accepts these credentials (connecting to it failed: ${cause || (error as { code?: string }).code || 'unknown error'})`,
      where,
      { cause: error },
    );
  }
  if (!(version >= minServerVersion)) {
    throw new InvalidConfigError(
      'postgres.url',
      `a PostgreSQL server of version 13 or newer (this one is ${text})`,
      where,
    );
  }
}

type Ops = ReturnType<typeof prepare>;

function prepare(ctx: PgContext) {
  const claimed = claimedItems();
  const counters = prepareCounters(ctx);
  return {
    ...prepareRuns(ctx),
    ...prepareSeed(ctx),
    ...prepareClaim(ctx, claimed),
    ...prepareLeases(ctx, claimed),
    ...prepareCommit(ctx, claimed),
    ...prepareInspect(ctx, counters),
    ...prepareFailures(ctx),
    ...prepareWorkers(ctx),
    ...preparePrune(ctx),
    ...prepareServiceState(ctx),
  };
}

class PostgresStore implements Store {
  readonly backend = 'postgres';
  #pool: pg.Pool | undefined;
  #ops: Ops | undefined;
  readonly #owned: boolean;
  readonly #notifications: ItemsNotifications | undefined;

  constructor(pool: pg.Pool, owned: boolean, schema: string, q: string, notify: boolean) {
    this.#pool = pool;
    this.#owned = owned;
    const channel = notify ? itemsChannel(schema) : null;
    if (channel !== null) this.#notifications = new ItemsNotifications(pool, channel);
    this.#ops = prepare({
      pool: typed(pool),
      q,
      name: (statement) => `sluice.${schema}.${statement}`,
      channel,
    });
  }

  watchItems = (listener: (runId: string, stage: string) => void): (() => void) => {
    if (this.#ops === undefined) throw new StoreClosedError(this.backend, 'watchItems');
    return this.#notifications?.watch(listener) ?? (() => undefined);
  };

  /** Runs one operation; a throw before its first await becomes a rejection all the same. */
  async #call<T>(method: string, operation: (ops: Ops) => Promise<T> | T): Promise<T> {
    if (this.#ops === undefined) throw new StoreClosedError(this.backend, method);
    return operation(this.#ops);
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
    const pool = this.#pool;
    this.#pool = undefined;
    this.#ops = undefined;
    if (pool === undefined) return;
    await this.#notifications?.close();
    if (this.#owned) await pool.end();
  };
}
