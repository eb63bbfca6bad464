import { InvalidConfigError } from '../../errors/index.js';
import { toJson, toJsonIfPlain } from '../json.js';
import type { ClaimRequest, ItemRef, Lease, NewItem, SeedItem } from '../records.js';
import {
  isId,
  isTime,
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
    rows[i] = plainItemRow(list[i], withParent) ?? itemRow(list[i], field, i, withParent);
  }
  return rows;
}

/**
 * The hot path of normalizeNewItems: the same checks without building a field name per value.
 * Returns undefined if any item is not accepted as is (normalizeNewItems then names the refusal).
 */
export function plainNewItems(items: unknown, withParent: boolean): ItemRow[] | undefined {
  if (!Array.isArray(items)) return undefined;
  const rows: ItemRow[] = new Array<ItemRow>(items.length);
  for (let i = 0; i < items.length; i++) {
    const row = plainItemRow(items[i], withParent);
    if (row === undefined) return undefined;
    rows[i] = row;
  }
  return rows;
}

/** One item of plainNewItems, or undefined; itemRow refuses it by name. */
function plainItemRow(value: unknown, withParent: boolean): ItemRow | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const item = value as SeedItem;
  const { id, priority, availableAt, traceContext } = item;
  if (!isId(id)) return undefined;
  if (
    priority !== undefined &&
    !(Number.isSafeInteger(priority) && priority >= minPriority && priority <= maxPriority)
  ) {
    return undefined;
  }
  if (availableAt !== undefined && !isTime(availableAt)) return undefined;
  if (traceContext !== undefined && traceContext !== null && typeof traceContext !== 'string') {
    return undefined;
  }
  let parentId: string | null = null;
  if (withParent && item.parentId !== undefined && item.parentId !== null) {
    if (!isId(item.parentId)) return undefined;
    parentId = item.parentId;
  }
  const input = toJsonIfPlain(item.input);
  if (input === undefined) return undefined;
  return {
    id,
    input,
    priority: priority ?? null,
    availableAt: availableAt === undefined ? null : Math.floor(availableAt),
    traceContext: traceContext ?? null,
    parentId,
  };
}

/** The checks of normalizeNewItems with field names: the slow path, and every refusal. */
function itemRow(value: unknown, field: string, i: number, withParent: boolean): ItemRow {
  const item = requireObject<SeedItem & NewItem>(value, `${field}[${i}]`);
  const id = requireId(item.id, `${field}[${i}].id`);
  const at = `${field}[${JSON.stringify(id)}]`;
  return {
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

/**
 * Whether a lease is one the store handed out itself (a ClaimedItem of this store, immutable):
 * such a lease needs no checks. Each backend recognises its own; the default trusts none.
 */
export type TrustedLease = (lease: unknown) => boolean;

export const trustNone: TrustedLease = () => false;

export function normalizeLease(lease: unknown, field: string): Lease {
  const ref = normalizeItemRef(lease, field);
  const l = lease as Lease;
  return {
    ...ref,
    owner: requireId(l.owner, `${field}.owner`),
    token: requireString(l.token, `${field}.token`),
  };
}

/**
 * The heartbeat's arguments. Its leases are fenced by `owner`, not by their own owner field; a
 * trusted lease is passed through as is (read its token, never its owner).
 */
export function normalizeHeartbeat(
  owner: unknown,
  leases: unknown,
  leaseMs: unknown,
  now: unknown,
  trusted: TrustedLease = trustNone,
): { owner: string; leases: readonly Omit<Lease, 'owner'>[]; leaseMs: number; now: number } {
  const o = requireId(owner, 'heartbeat.owner');
  const list = requireArray<unknown>(leases, 'heartbeat.leases');
  if (list.length > maxBatch) {
    throw new InvalidConfigError('heartbeat.leases', `at most ${maxBatch} leases`, list.length);
  }
  return {
    owner: o,
    leases: list.map((lease, i) =>
      trusted(lease)
        ? (lease as Lease)
        : normalizeLease({ ...(lease as object), owner: o }, `heartbeat.leases[${i}]`),
    ),
    leaseMs: requireInteger(leaseMs, 'heartbeat.leaseMs', 1),
    now: requireTime(now, 'heartbeat.now'),
  };
}
