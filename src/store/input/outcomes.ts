import { failureCategories, InvalidConfigError, type FailureCategory } from '../../errors/index.js';
import { toJson, toJsonIfPlain } from '../json.js';
import { outcomeKinds, type Outcome } from '../outcome.js';
import type { Lease } from '../records.js';
import {
  bounded,
  boundedText,
  isId,
  isTime,
  requireArray,
  requireId,
  requireDuration,
  requireObject,
  requireOneOf,
  requireTime,
} from '../validate.js';
import {
  normalizeLease,
  normalizeNewItems,
  plainNewItems,
  trustNone,
  type ItemRow,
  type TrustedLease,
} from './items.js';

/**
 * Checks a commit batch and serializes its payloads before the transaction starts, so one bad
 * outcome refuses the whole batch with nothing written (the engine can check a handler's
 * result with assertJsonSerializable first, and dead-letter that one item instead).
 *
 * The engine's outcomes name leases the store handed out itself (`trusted`): those are not
 * checked again, and an outcome whose every field is as expected takes a path that builds no
 * field names. Anything else (a lease built by hand, any doubtful field) goes through the full
 * checks, which name the field of a refusal exactly as before.
 */
export type NormalizedOutcome =
  | {
      readonly kind: 'complete';
      readonly lease: Lease;
      readonly source: Lease;
      readonly output: string;
      readonly degraded: boolean;
      readonly next: { readonly stage: string; readonly items: readonly ItemRow[] } | null;
    }
  | {
      readonly kind: 'retry';
      readonly lease: Lease;
      readonly source: Lease;
      readonly availableAt: number;
      readonly error: string;
      readonly category: FailureCategory;
      readonly delayMs: number;
    }
  | {
      readonly kind: 'dead';
      readonly lease: Lease;
      readonly source: Lease;
      readonly error: string;
      readonly category: FailureCategory;
    }
  | {
      readonly kind: 'skip';
      readonly lease: Lease;
      readonly source: Lease;
      readonly reason: string;
    }
  | { readonly kind: 'release'; readonly lease: Lease; readonly source: Lease }
  | {
      readonly kind: 'checkpoint';
      readonly lease: Lease;
      readonly source: Lease;
      readonly state: string;
    };

export function normalizeOutcomes(
  outcomes: unknown,
  trusted: TrustedLease = trustNone,
): readonly NormalizedOutcome[] {
  const list = requireArray<Outcome>(outcomes, 'outcomes');
  const result = new Array<NormalizedOutcome>(list.length);
  for (let i = 0; i < list.length; i++) {
    const outcome = list[i];
    result[i] =
      plainOutcome(outcome, trusted) ?? normalizeOutcome(outcome, `outcomes[${i}]`, trusted);
  }
  return result;
}

/** The hot path: an outcome on a trusted lease with every field as expected, else undefined. */
function plainOutcome(value: unknown, trusted: TrustedLease): NormalizedOutcome | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const outcome = value as Outcome;
  const source = outcome.lease;
  if (!trusted(source)) return undefined;
  switch (outcome.kind) {
    case 'complete': {
      const { degraded } = outcome;
      if (degraded !== undefined && typeof degraded !== 'boolean') return undefined;
      let next = null;
      if (outcome.next !== undefined && outcome.next !== null) {
        const n = outcome.next;
        if (typeof n !== 'object' || Array.isArray(n) || !isId(n.stage)) return undefined;
        const items = plainNewItems(n.items, false);
        if (items === undefined) return undefined;
        next = { stage: n.stage, items };
      }
      const output = toJsonIfPlain(outcome.output);
      if (output === undefined) return undefined;
      return { kind: 'complete', lease: source, source, output, degraded: degraded === true, next };
    }
    case 'retry': {
      const { availableAt, error, category, delayMs } = outcome;
      if (!isTime(availableAt) || typeof error !== 'string' || !isTime(delayMs)) return undefined;
      if (!failureCategories.includes(category)) return undefined;
      return {
        kind: 'retry',
        lease: source,
        source,
        availableAt: Math.floor(availableAt),
        error: bounded(error),
        category,
        delayMs: Math.round(delayMs),
      };
    }
    case 'dead': {
      const { error, category } = outcome;
      if (typeof error !== 'string' || !failureCategories.includes(category)) return undefined;
      return { kind: 'dead', lease: source, source, error: bounded(error), category };
    }
    case 'skip':
      if (typeof outcome.reason !== 'string') return undefined;
      return { kind: 'skip', lease: source, source, reason: bounded(outcome.reason) };
    case 'release':
      return { kind: 'release', lease: source, source };
    case 'checkpoint': {
      const state = toJsonIfPlain(outcome.state);
      if (state === undefined) return undefined;
      return { kind: 'checkpoint', lease: source, source, state };
    }
    default:
      return undefined;
  }
}

function normalizeOutcome(value: unknown, field: string, trusted: TrustedLease): NormalizedOutcome {
  const outcome = requireObject<Outcome>(value, field);
  const kind = requireOneOf(outcome.kind, `${field}.kind`, outcomeKinds);
  // `source` is the caller's own lease object, handed back as is in `fenced`.
  const source = outcome.lease;
  const lease = trusted(source) ? source : normalizeLease(source, `${field}.lease`);
  const at = `${field} (item ${JSON.stringify(lease.id)})`;
  switch (kind) {
    case 'complete': {
      const o = outcome as Extract<Outcome, { kind: 'complete' }>;
      let next = null;
      if (o.next !== undefined && o.next !== null) {
        const n = requireObject<NonNullable<typeof o.next>>(o.next, `${at}.next`);
        next = {
          stage: requireId(n.stage, `${at}.next.stage`),
          items: normalizeNewItems(n.items, `${at}.next.items`, false),
        };
      }
      if (o.degraded !== undefined && typeof o.degraded !== 'boolean') {
        throw new InvalidConfigError(`${at}.degraded`, 'a boolean', o.degraded);
      }
      return {
        kind,
        lease,
        source,
        output: toJson(o.output, `${at}.output`),
        degraded: o.degraded === true,
        next,
      };
    }
    case 'retry': {
      const o = outcome as Extract<Outcome, { kind: 'retry' }>;
      return {
        kind,
        lease,
        source,
        availableAt: requireTime(o.availableAt, `${at}.availableAt`),
        error: boundedText(o.error, `${at}.error`),
        category: requireOneOf(o.category, `${at}.category`, failureCategories),
        delayMs: requireDuration(o.delayMs, `${at}.delayMs`),
      };
    }
    case 'dead': {
      const o = outcome as Extract<Outcome, { kind: 'dead' }>;
      return {
        kind,
        lease,
        source,
        error: boundedText(o.error, `${at}.error`),
        category: requireOneOf(o.category, `${at}.category`, failureCategories),
      };
    }
    case 'skip': {
      const o = outcome as Extract<Outcome, { kind: 'skip' }>;
      return { kind, lease, source, reason: boundedText(o.reason, `${at}.reason`) };
    }
    case 'release':
      return { kind, lease, source };
    case 'checkpoint': {
      const o = outcome as Extract<Outcome, { kind: 'checkpoint' }>;
      return { kind, lease, source, state: toJson(o.state, `${at}.state`) };
    }
  }
}
