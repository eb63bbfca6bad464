import type { CommitResult, Outcome } from './outcome.js';
import type {
  BreakerStateRecord,
  CheckpointRecord,
  NamedCheckpointRecord,
  ClaimRequest,
  ClaimedItem,
  DeadLetterFilter,
  DeadLetterRecord,
  HealthSample,
  ItemFilter,
  ItemRecord,
  ItemRef,
  Lease,
  NewRun,
  Page,
  PruneResult,
  PageRequest,
  RetryRecord,
  RunFilter,
  RunRecord,
  RunStatus,
  SeedItem,
  SeedResult,
  StageCounts,
  WorkerInfo,
  WorkerRecord,
} from './records.js';

export type * from './records.js';
export type * from './outcome.js';
export type { ItemState } from './item-state.js';

/**
 * The durable state of Sluice behind one contract, implemented once per backend (SQLite
 * embedded, PostgreSQL) and checked by one contract test suite (`store.contract.ts`).
 *
 * Rules every implementation keeps:
 * - Every method is async and never reads the clock: each write is given `now` (ms since the
 *   epoch; fractions are floored) by its caller, so behaviour is deterministic under test.
 * - Every write that concerns a leased item is fenced by its lease owner and token: a stale
 *   writer changes nothing. Each method is one transaction; `commit` is one for the whole batch,
 *   so a commit that throws applied none of it and may be retried as is (a retry after a commit
 *   that did apply reports its outcomes as fenced: fenced means "not applied by this call").
 * - Bad arguments are refused before any write with an InvalidConfigError naming the field.
 * - A run must exist before anything is written under its ID (else InvalidConfigError on runId).
 */
export interface Store {
  /** Which backend this is, for logs and metrics: `sqlite` or `postgres`. */
  readonly backend: string;

  // ── runs ──────────────────────────────────────────────────────────────────────────────
  /**
   * Creates a run with status `running`, or returns the existing one with `created: false` (so a
   * restarted process resumes it). An existing run of another pipeline is refused.
   */
  createRun(run: NewRun, now: number): Promise<{ run: RunRecord; created: boolean }>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(filter?: RunFilter, page?: PageRequest): Promise<Page<RunRecord>>;
  setRunStatus(runId: string, status: RunStatus, now: number): Promise<void>;
  /** Stores the run's final (or latest) summary, any JSON value. */
  saveSummary(runId: string, summary: unknown, now: number): Promise<void>;

  // ── items: the hot path ──────────────────────────────────────────────────────────────
  /**
   * Inserts items `pending` at `stage`, idempotently by ID: an ID already present is left as it
   * is and counted in `existing`. Inputs that are not plain JSON are refused, naming the item.
   */
  seedItems(
    runId: string,
    stage: string,
    items: readonly SeedItem[],
    now: number,
  ): Promise<SeedResult>;
  /**
   * Leases up to `limit` claimable items (pending or retry_wait with `available_at <= now`),
   * highest priority first, then earliest `available_at`; each gets a fresh random token.
   * Returned in that order. Two claimers never get the same item.
   */
  claim(request: ClaimRequest): Promise<ClaimedItem[]>;
  /**
   * Extends to `now + leaseMs` those of `owner`'s leases that it still holds (matching token,
   * still leased). Returns how many were extended; a lower number means some were lost.
   */
  heartbeat(
    owner: string,
    leases: readonly Omit<Lease, 'owner'>[],
    leaseMs: number,
    now: number,
  ): Promise<number>;
  /** Applies a batch of outcomes in one transaction, each fenced by its lease (see Outcome). */
  commit(outcomes: readonly Outcome[], now: number): Promise<CommitResult>;
  /**
   * Returns up to `limit` items whose lease expired by `now` to `pending`, counting the lost
   * attempt (attempts + 1, recorded in the retry history as a recoverable `lease expired`).
   * Scoped to one run if `runId` is given. Returns how many were reclaimed.
   */
  reclaimExpired(
    now: number,
    limit: number,
    options?: { readonly runId?: string },
  ): Promise<number>;
  /**
   * The earliest `available_at` of a claimable item of the stage (possibly in the past), or
   * undefined if none is claimable: when to claim next once a claim came back empty.
   */
  nextAvailableAt(runId: string, stage: string): Promise<number | undefined>;

  // ── items: inspection ────────────────────────────────────────────────────────────────
  /** Counts per stage and state (stages with no items are absent). */
  counts(runId: string): Promise<Readonly<Record<string, StageCounts>>>;
  /** Ordered by stage, then ID. */
  listItems(filter: ItemFilter, page?: PageRequest): Promise<Page<ItemRecord>>;
  getItem(ref: ItemRef): Promise<ItemRecord | undefined>;
  /** Every failed attempt that was retried (and every lost lease), oldest first. */
  retryHistory(ref: ItemRef): Promise<RetryRecord[]>;

  // ── failures ─────────────────────────────────────────────────────────────────────────
  /** Dead letters not yet retried (or all, with `includeRetried`), oldest first. */
  deadLetters(
    filter: DeadLetterFilter & { readonly includeRetried?: boolean },
    page?: PageRequest,
  ): Promise<Page<DeadLetterRecord>>;
  /**
   * Sends the dead items matching the filter back to `pending` (attempts reset to 0, available
   * now) and marks their dead letters retried. Returns how many items.
   */
  retryDeadLetters(filter: DeadLetterFilter, now: number): Promise<number>;
  /** "Resume failed only": retry_wait and dead items back to `pending` with attempts reset. */
  resetFailed(runId: string, options: { readonly stage?: string }, now: number): Promise<number>;
  /**
   * Marks the run cancelled and skips its pending and retry_wait items (reason `cancelled`).
   * Leased items are left to their workers, whose commits still apply (a completion's next-stage
   * items are still inserted `pending`; stop claiming for a cancelled run, or cancel again once
   * they drained). Returns how many items were skipped.
   */
  cancelRun(runId: string, now: number): Promise<number>;

  // ── run checkpoints (e.g. a paginated source's cursor) ─────────────────────────────────
  putCheckpoint(runId: string, name: string, state: unknown, now: number): Promise<void>;
  getCheckpoint(runId: string, name: string): Promise<CheckpointRecord | undefined>;
  /** Every checkpoint of the run, ordered by name. */
  listCheckpoints(runId: string): Promise<NamedCheckpointRecord[]>;

  // ── shared service state ─────────────────────────────────────────────────────────────
  saveBreakerState(service: string, key: string, snapshot: unknown, now: number): Promise<void>;
  /** Every breaker of the service, or only `key`'s; ordered by key. */
  loadBreakerState(service: string, key?: string): Promise<BreakerStateRecord[]>;
  /** Adds the sample's figures to its (service, bucketStart) bucket. */
  recordHealthSample(sample: HealthSample): Promise<void>;
  /** The service's buckets starting at or after `since`, oldest first. */
  listHealthSamples(service: string, since: number): Promise<HealthSample[]>;
  /** Deletes every service's buckets that start before `before`; returns how many. */
  pruneHealthSamples(before: number): Promise<number>;

  // ── retention ────────────────────────────────────────────────────────────────────────
  /**
   * Deletes the completed and cancelled runs last updated before `now - olderThanMs`, with
   * everything under them (items, retry history, dead letters, checkpoints, counts), and worker
   * registrations not renewed since then, in one transaction. Running and failed runs are kept
   * (they may be resumed). On SQLite the freed pages are reused, so a file under a steady load
   * stops growing once retention applies (it does not shrink: VACUUM does that, offline).
   */
  prune(options: { readonly olderThanMs: number }, now: number): Promise<PruneResult>;

  // ── the fleet's worker processes ────────────────────────────────────────────────────
  /**
   * Registers a worker process, or renews its registration: call it again as its heartbeat (it
   * keeps `startedAt`, updates the rest). A worker that stops calling is one that died: see
   * `listWorkers({ since })`.
   */
  registerWorker(worker: WorkerInfo, now: number): Promise<void>;
  /** Removes the worker's registration (it stopped); false if it had none. */
  deregisterWorker(id: string): Promise<boolean>;
  /**
   * The registered workers, those heard from at or after `since` if given, ordered by start
   * then ID. On SQLite: the processes on this file; on PostgreSQL: the fleet.
   */
  listWorkers(options?: { readonly since?: number }): Promise<WorkerRecord[]>;
  /** Deletes the registrations of workers not heard from since `before`; returns how many. */
  pruneWorkers(before: number): Promise<number>;

  // ── wake-ups across processes (optional) ────────────────────────────────────────────
  /**
   * Calls `listener` when a write by any process (another store on the same database included)
   * made items of (runId, stage) claimable: seeded, emitted, retried, released, reclaimed or sent
   * back. Best effort and possibly late or lost: a wake-up to claim now instead of at the next
   * poll, never a replacement for polling. `('', '')` means "something, somewhere". Returns the
   * unsubscribe function. Absent on backends that cannot tell (SQLite: other processes poll).
   */
  watchItems?(listener: (runId: string, stage: string) => void): () => void;

  /** Releases the connection(s). Further calls fail. Idempotent. */
  close(): Promise<void>;
}
