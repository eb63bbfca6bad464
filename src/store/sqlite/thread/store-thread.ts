/**
 * The store thread: one SQLite store (a connection of its own) serving a ThreadedSqliteStore
 * over postMessage. It runs the store's methods one at a time, in the order they arrive, so the
 * caller's thread keeps the SQL (most of a queue job's CPU) off its event loop. See protocol.ts
 * for what crosses and how leases keep the store's fast path.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { NormalizedOutcome } from '../../input/outcomes.js';
import type { ClaimedItem, ClaimRequest, Lease } from '../../records.js';
import { openSqliteStore, type ServedSqliteStore } from '../sqlite-store.js';
import type {
  ClaimReply,
  CommitReply,
  Ready,
  Request,
  Response,
  ThreadData,
  WireLease,
  WireOutcome,
} from './protocol.js';
import { toWireError } from './wire-error.js';

/** Above this many leases held for the caller, the oldest are forgotten (see forget()). */
const maxHeld = 200_000;

const port = parentPort;
if (port === null) throw new Error('store-thread.ts runs as a worker thread only');
const data = workerData as ThreadData;

/**
 * The ClaimedItems this store handed out and the caller has not finished, by token. A lease that
 * is not here (forgotten, or never ours) is rebuilt from its public fields and checked as any
 * foreign lease: slower, and exactly as safe.
 */
const held = new Map<string, ClaimedItem>();

let store: ServedSqliteStore;
try {
  store = openSqliteStore({ ...data.options, path: data.path });
  port.postMessage({ ready: true } satisfies Ready);
} catch (error) {
  port.postMessage({ ready: false, error: toWireError(error) } satisfies Ready);
  process.exit(0);
}

port.on('message', (request: Request) => {
  void serve(request).then((response) => port.postMessage(response));
});

async function serve(request: Request): Promise<Response> {
  try {
    return { id: request.id, ok: true, value: await call(request) };
  } catch (error) {
    return { id: request.id, ok: false, error: toWireError(error) };
  }
}

async function call({ method, args }: Request): Promise<unknown> {
  switch (method) {
    case 'claim':
      return claim(args[0] as ClaimRequest);
    case 'commit':
      return commit(args[0] as readonly WireOutcome[], args[1] as number);
    case 'heartbeat':
      return store.heartbeat(
        args[0] as string,
        leasesOf(args[1] as readonly unknown[], args[4] as readonly number[]),
        args[2] as number,
        args[3] as number,
      );
    case 'close':
      await store.close();
      setImmediate(() => process.exit(0));
      return undefined;
    default:
      return (store[method] as (...a: readonly unknown[]) => Promise<unknown>)(...args);
  }
}

function claim(request: ClaimRequest): ClaimReply {
  const { raw, leases } = store.claimForThread(request);
  const { batch, expiresAt, rows } = raw;
  const n = rows.length;
  const reply = {
    runId: batch.runId,
    stage: batch.stage,
    owner: batch.owner,
    nonce: batch.nonce,
    leaseExpiresAt: expiresAt,
    ids: new Array<string>(n),
    seqs: new Array<number>(n),
    attempts: new Array<number>(n),
    inputs: new Array<string>(n),
    checkpoints: new Array<string | null>(n),
    priorities: new Array<number>(n),
    availableAts: new Array<number>(n),
    parentIds: new Array<string | null>(n),
    traceContexts: new Array<string | null>(n),
  };
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    held.set(leases[i]!.token, leases[i]!);
    reply.seqs[i] = row[0];
    reply.ids[i] = row[1];
    reply.attempts[i] = row[2] + 1;
    reply.inputs[i] = row[3];
    reply.checkpoints[i] = row[4];
    reply.priorities[i] = row[5];
    reply.availableAts[i] = row[6];
    reply.parentIds[i] = row[7];
    reply.traceContexts[i] = row[8];
  }
  if (held.size > maxHeld) forget();
  return reply;
}

/** Forgets the oldest half of the held leases: a caller that drops leases must not grow us. */
function forget(): void {
  let drop = held.size - maxHeld / 2;
  for (const token of held.keys()) {
    if (drop-- <= 0) break;
    held.delete(token);
  }
}

function commit(outcomes: readonly WireOutcome[], now: number): CommitReply {
  const normalized = new Array<NormalizedOutcome>(outcomes.length);
  for (let i = 0; i < outcomes.length; i++) {
    const outcome = outcomes[i]!;
    const lease = Array.isArray(outcome.lease)
      ? leaseOf(outcome.lease as WireLease)
      : outcome.lease;
    normalized[i] = { ...outcome, lease, source: lease } as NormalizedOutcome;
  }
  const result = store.commitNormalized(normalized, now);
  for (const outcome of outcomes) {
    if (outcome.kind !== 'checkpoint' && Array.isArray(outcome.lease)) {
      held.delete((outcome.lease as WireLease)[4]);
    }
  }
  // Fenced leases come in input order; an own lease named twice in one batch is one object, so
  // the scan may name its first outcome for its second: the caller maps both to the same lease.
  const fenced: number[] = [];
  let next = 0;
  for (const lease of result.fenced) {
    while (next < normalized.length && normalized[next]!.source !== lease) next++;
    fenced.push(next++);
  }
  return { applied: result.applied, fenced };
}

function leasesOf(leases: readonly unknown[], wired: readonly number[]): Omit<Lease, 'owner'>[] {
  if (wired.length === 0) return leases as Omit<Lease, 'owner'>[]; // checked by the store
  const local = leases.slice() as Omit<Lease, 'owner'>[];
  for (const index of wired) local[index] = leaseOf(leases[index] as WireLease);
  return local;
}

function leaseOf(wire: WireLease): Lease {
  const own = held.get(wire[4]);
  if (own !== undefined) return own;
  return { runId: wire[0], stage: wire[1], id: wire[2], owner: wire[3], token: wire[4] };
}
