import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import {
  InvalidConfigError,
  isInvalidConfigError,
  StoreClosedError,
} from '../../../errors/index.js';
import type { CommitResult, Outcome } from '../../outcome.js';
import type { ClaimedItem } from '../../records.js';
import type { Store } from '../../store.js';
import type { SqliteStoreOptions } from '../store-options.js';
import type {
  ClaimReply,
  CommitReply,
  Ready,
  Request,
  Response,
  StoreMethod,
  ThreadData,
  WireLease,
  WireOutcome,
} from './protocol.js';
import { normalizeOutcomes } from '../../input/outcomes.js';
import { requireTime } from '../../validate.js';
import { prepareArgs, unsendable } from './crossing.js';
import { threadClaimedItems } from './thread-claimed.js';
import { fromWireError } from './wire-error.js';

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Opens the SQLite store on a thread of its own (`createSqliteStore({ thread: true })`). Every
 * Store method is a message to that thread; what it costs there (the SQL, most of a queue job's
 * CPU) no longer holds this thread's event loop, so handlers run while the store claims and
 * commits: on two cores, a no-op queue burns down about half again as fast (bench/RESULTS.md).
 */
export async function createThreadedSqliteStore(
  options: SqliteStoreOptions,
  openReferee: () => Store,
): Promise<Store> {
  const { thread: _thread, ...rest } = options;
  const worker = new Worker(threadEntry.entry, {
    eval: threadEntry.eval,
    workerData: { path: options.path, options: rest } satisfies ThreadData,
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if (!ready.ready) {
    await worker.terminate();
    throw fromWireError(ready.error);
  }
  return new ThreadedSqliteStore(worker, openReferee);
}

/**
 * Built with tsc, the thread's entry is store-thread.js beside this file. Run from the sources
 * (tests, the benchmarks, the examples under tsx), it is the .ts file: the thread then starts
 * with a line that registers tsx's loader (a devDependency, present wherever the sources run)
 * and imports it.
 */
const threadEntry = (() => {
  const js = new URL('./store-thread.js', import.meta.url);
  if (existsSync(js)) return { entry: js, eval: false };
  const ts = new URL('./store-thread.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(ts)}); })`;
  return { entry: code, eval: true };
})();

class ThreadedSqliteStore implements Store {
  readonly backend = 'sqlite';
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #claimed = threadClaimedItems();
  readonly #openReferee: () => Store;
  #referee: Store | undefined;
  #nextId = 0;
  #closed: Error | undefined;

  constructor(worker: Worker, openReferee: () => Store) {
    this.#worker = worker;
    this.#openReferee = openReferee;
    worker.unref(); // held only while a request is pending (#send), so a forgotten store lets the process exit
    worker.on('message', (response: Response) => this.#settle(response));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) =>
      this.#fail(new Error(`the SQLite store thread exited (code ${code})`)),
    );
  }

  /** `asCalled`: the caller's own arguments, when `args` are them with leases made wire leases. */
  #send(
    method: StoreMethod,
    args: readonly unknown[],
    asCalled: readonly unknown[] | 'checked' = args,
  ): Promise<unknown> {
    if (this.#closed !== undefined) {
      return Promise.reject(new StoreClosedError(this.backend, method));
    }
    // 'checked': args the store's own checks made plain data already (commit).
    const prepared = asCalled === 'checked' ? args : prepareArgs(args);
    if (prepared === unsendable) return this.#refuse(method, asCalled as unknown[], undefined);
    const id = this.#nextId++;
    try {
      this.#worker.postMessage({ id, method, args: prepared } satisfies Request);
    } catch (error) {
      return this.#refuse(method, asCalled === 'checked' ? args : asCalled, error);
    }
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  /**
   * Arguments that cannot cross (a function, a symbol, a cycle...) are what the store refuses
   * with an InvalidConfigError naming the field: the same call on an empty in-memory store of
   * this thread (the referee, opened on first need) says which, and nothing reaches the file.
   */
  async #refuse(method: StoreMethod, args: readonly unknown[], cause: unknown): Promise<never> {
    this.#referee ??= this.#openReferee();
    try {
      await (this.#referee[method] as (...a: readonly unknown[]) => Promise<unknown>)(...args);
    } catch (error) {
      if (isInvalidConfigError(error)) throw error;
    }
    throw new InvalidConfigError(
      `${method} arguments`,
      'values the store thread can receive (structured-cloneable JSON data)',
      args,
      { cause },
    );
  }

  #settle(response: Response): void {
    const pending = this.#pending.get(response.id);
    if (pending === undefined) return;
    this.#pending.delete(response.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (response.ok) pending.resolve(response.value);
    else pending.reject(fromWireError(response.error));
  }

  #fail(error: Error): void {
    this.#closed ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  #forward<M extends StoreMethod>(method: M): Store[M] {
    return ((...args: unknown[]) => this.#send(method, args)) as Store[M];
  }

  createRun = this.#forward('createRun');
  getRun = this.#forward('getRun');
  listRuns = this.#forward('listRuns');
  setRunStatus = this.#forward('setRunStatus');
  saveSummary = this.#forward('saveSummary');
  seedItems = this.#forward('seedItems');
  reclaimExpired = this.#forward('reclaimExpired');
  nextAvailableAt = this.#forward('nextAvailableAt');
  counts = this.#forward('counts');
  listItems = this.#forward('listItems');
  getItem = this.#forward('getItem');
  retryHistory = this.#forward('retryHistory');
  deadLetters = this.#forward('deadLetters');
  retryDeadLetters = this.#forward('retryDeadLetters');
  resetFailed = this.#forward('resetFailed');
  cancelRun = this.#forward('cancelRun');
  putCheckpoint = this.#forward('putCheckpoint');
  getCheckpoint = this.#forward('getCheckpoint');
  saveBreakerState = this.#forward('saveBreakerState');
  loadBreakerState = this.#forward('loadBreakerState');
  recordHealthSample = this.#forward('recordHealthSample');
  listHealthSamples = this.#forward('listHealthSamples');
  pruneHealthSamples = this.#forward('pruneHealthSamples');

  claim: Store['claim'] = async (request) => {
    const reply = (await this.#send('claim', [request])) as ClaimReply;
    return this.#claimed.build(reply);
  };

  /**
   * Checked and serialized here, by the store's own normalizeOutcomes (so a refusal names the
   * field exactly as the store does, and the JSON work is not the store thread's), then sent.
   */
  commit: Store['commit'] = async (outcomes, now) => {
    let wire: WireOutcome[];
    try {
      const normalized = normalizeOutcomes(outcomes, this.#claimed.isOwn);
      requireTime(now, 'now');
      if (normalized.length === 0) return { applied: 0, fenced: [] };
      wire = normalized.map(({ source: _source, ...outcome }) => ({
        ...outcome,
        lease: this.#wire(outcome.lease) ?? outcome.lease,
      }));
    } catch (error) {
      throw error instanceof Error ? error : new Error(String(error));
    }
    const reply = (await this.#send('commit', [wire, now], 'checked')) as CommitReply;
    const fenced = reply.fenced.map((index) => (outcomes[index] as Outcome).lease);
    return { applied: reply.applied, fenced } satisfies CommitResult;
  };

  heartbeat: Store['heartbeat'] = async (owner, leases, leaseMs, now) => {
    let sent: readonly unknown[] = leases;
    const wired: number[] = [];
    if (Array.isArray(leases)) {
      for (let i = 0; i < leases.length; i++) {
        const wire = this.#wire(leases[i]);
        if (wire === undefined) continue;
        if (sent === leases) sent = leases.slice();
        (sent as unknown[])[i] = wire;
        wired.push(i);
      }
    }
    return (await this.#send(
      'heartbeat',
      [owner, sent, leaseMs, now, wired],
      [owner, leases, leaseMs, now],
    )) as number;
  };

  /** A lease this store handed out, as it crosses; undefined for any other value. */
  #wire(lease: unknown): WireLease | undefined {
    if (!this.#claimed.isOwn(lease)) return undefined;
    const { runId, stage, id, owner, token } = lease as ClaimedItem;
    return [runId, stage, id, owner, token];
  }

  close = async (): Promise<void> => {
    if (this.#closed !== undefined) return;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    await this.#send('close', []);
    this.#closed = new StoreClosedError(this.backend, 'close');
    await exited;
    await this.#referee?.close();
  };
}
