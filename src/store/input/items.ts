import { InvalidConfigError } from '../../errors/index.js';
import { toJson } from '../json.js';
import type { ClaimRequest, ItemRef, Lease, NewItem, SeedItem } from '../records.js';
import {
  optionalString,
  requireArray,
  requireId,
  requireInteger,
  requireObject,
  requireString,
  requireTime,
} from '../validate.js';

/**
 * Checks and normalizes the item-level arguments of the Store methods, identically for every
 * backend: after this, a backend only binds values; every refusal has already happened, before
 * any write, with an InvalidConfigError naming the field (and the item ID where there is one).
 */

/** An item ready to insert; null fields take their defaults in the backend. */
export interface ItemRow {
  readonly id: string;
  readonly input: string;
  readonly priority: number | null;
  readonly availableAt: number | null;
  readonly traceContext: string | null;
  readonly parentId: string | null;
}

/** Largest claim and heartbeat batch. */
export const maxBatch = 10_000;

const minPriority = -(2 ** 31);
const maxPriority = 2 ** 31 - 1;

export function normalizeNewItems(
  items: unknown,
  field: string,
  withParent: boolean,
): readonly ItemRow[] {
  const list = requireArray<SeedItem>(items, field);
  const rows: ItemRow[] = new Array<ItemRow>(list.length);
  for (let i = 0; i < list.length; i++) {
    const item = requireObject<SeedItem & NewItem>(list[i], `${field}[${i}]`);
    const id = requireId(item.id, `${field}[${i}].id`);
    const at = `${field}[${JSON.stringify(id)}]`;
    rows[i] = {
      id,
      input: toJson(item.input, `${at}.input`),
      priority:
        item.priority === undefined
          ? null
          : requireInteger(item.priority, `${at}.priority`, minPriority, maxPriority),
      availableAt:
        item.availableAt === undefined ? null : requireTime(item.availableAt, `${at}.availableAt`),
      traceContext: optionalString(item.traceContext, `${at}.traceContext`),
      parentId:
        withParent && item.parentId !== undefined && item.parentId !== null
          ? requireId(item.parentId, `${at}.parentId`)
          : null,
    };
  }
  return rows;
}

export function normalizeClaim(request: unknown): ClaimRequest {
  const r = requireObject<ClaimRequest>(request, 'claim');
  return {
    runId: requireId(r.runId, 'claim.runId'),
    stage: requireId(r.stage, 'claim.stage'),
    owner: requireId(r.owner, 'claim.owner'),
    limit: requireInteger(r.limit, 'claim.limit', 1, maxBatch),
    leaseMs: requireInteger(r.leaseMs, 'claim.leaseMs', 1),
    now: requireTime(r.now, 'claim.now'),
  };
}

export function normalizeItemRef(ref: unknown, field: string): ItemRef {
  const r = requireObject<ItemRef>(ref, field);
  return {
    runId: requireId(r.runId, `${field}.runId`),
    stage: requireId(r.stage, `${field}.stage`),
    id: requireId(r.id, `${field}.id`),
  };
}

export function normalizeLease(lease: unknown, field: string): Lease {
  const ref = normalizeItemRef(lease, field);
  const l = lease as Lease;
  return {
    ...ref,
    owner: requireId(l.owner, `${field}.owner`),
    token: requireString(l.token, `${field}.token`),
  };
}

export function normalizeHeartbeat(
  owner: unknown,
  leases: unknown,
  leaseMs: unknown,
  now: unknown,
): { owner: string; leases: readonly Lease[]; leaseMs: number; now: number } {
  const o = requireId(owner, 'heartbeat.owner');
  const list = requireArray<unknown>(leases, 'heartbeat.leases');
  if (list.length > maxBatch) {
    throw new InvalidConfigError('heartbeat.leases', `at most ${maxBatch} leases`, list.length);
  }
  return {
    owner: o,
    leases: list.map((lease, i) =>
      normalizeLease({ ...(lease as object), owner: o }, `heartbeat.leases[${i}]`),
    ),
    leaseMs: requireInteger(leaseMs, 'heartbeat.leaseMs', 1),
    now: requireTime(now, 'heartbeat.now'),
  };
}
