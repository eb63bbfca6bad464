import type { NormalizedOutcome } from '../../input/outcomes.js';
import type { Lease } from '../../records.js';
import type { Store } from '../../store.js';
import type { WireError } from './wire-error.js';

/**
 * The messages between a ThreadedSqliteStore (the caller's thread) and its store thread. Every
 * Store method crosses as a request with its arguments structured-cloned, except where the
 * cost or the identity of leases matters:
 * - `claim` answers with ClaimRows (the data of each ClaimedItem, one array each); the caller's
 *   side builds its own frozen ClaimedItems from them;
 * - the leases of `commit` outcomes and `heartbeat` cross as WireLeases (a token plus the public
 *   fields): the store thread finds its own ClaimedItem by token (so its fast path applies), or
 *   else rebuilds a plain lease that the store checks as any foreign one;
 * - `commit` answers with the indices of the fenced outcomes, which the caller maps back to its
 *   own lease objects.
 */
export type StoreMethod = Exclude<keyof Store, 'backend'>;

export interface Request {
  readonly id: number;
  readonly method: StoreMethod;
  readonly args: readonly unknown[];
}

export type Response =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

/** The first message of a store thread: its database is open and migrated, or it is not. */
export type Ready = { readonly ready: true } | { readonly ready: false; readonly error: WireError };

/** What the store thread is started with (`workerData`). */
export interface ThreadData {
  readonly path: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * The ClaimedItems of one claim as data, a column per field (structured clone copies a few
 * arrays of primitives in half the time of an array per row): what is the claim's is sent once,
 * each token is the claim's nonce followed by the row's seq, and payloads stay JSON text, parsed
 * on the caller's thread.
 */
export interface ClaimReply {
  readonly runId: string;
  readonly stage: string;
  readonly owner: string;
  readonly nonce: string;
  readonly leaseExpiresAt: number;
  readonly ids: readonly string[];
  readonly seqs: readonly number[];
  readonly attempts: readonly number[];
  readonly inputs: readonly string[];
  readonly checkpoints: readonly (string | null)[];
  readonly priorities: readonly number[];
  readonly availableAts: readonly number[];
  readonly parentIds: readonly (string | null)[];
  readonly traceContexts: readonly (string | null)[];
}

/**
 * A commit's outcomes as they cross: checked and serialized by normalizeOutcomes on the caller's
 * side, each lease a WireLease (theirs: found by token) or a checked plain Lease, no `source`.
 */
export type WireOutcome = DistributiveOmit<NormalizedOutcome, 'lease' | 'source'> & {
  readonly lease: WireLease | Lease;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A lease as it crosses: [runId, stage, id, owner, token]. */
export type WireLease = readonly [
  runId: string,
  stage: string,
  id: string,
  owner: string,
  token: string,
];

export interface CommitReply {
  readonly applied: number;
  /** Indices into the outcomes of the request, in input order. */
  readonly fenced: readonly number[];
}
