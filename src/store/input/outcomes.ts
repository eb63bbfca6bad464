import { failureCategories, InvalidConfigError, type FailureCategory } from '../../errors/index.js';
import { toJson } from '../json.js';
import { outcomeKinds, type Outcome } from '../outcome.js';
import type { Lease } from '../records.js';
import {
  boundedText,
  requireArray,
  requireId,
  requireDuration,
  requireObject,
  requireOneOf,
  requireTime,
} from '../validate.js';
import { normalizeLease, normalizeNewItems, type ItemRow } from './items.js';

/**
 * Checks a commit batch and serializes its payloads before the transaction starts, so one bad
 * outcome refuses the whole batch with nothing written (the engine can check a handler's
 * result with assertJsonSerializable first, and dead-letter that one item instead).
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

export function normalizeOutcomes(outcomes: unknown): readonly NormalizedOutcome[] {
  const list = requireArray<Outcome>(outcomes, 'outcomes');
  return list.map((outcome, i) => normalizeOutcome(outcome, `outcomes[${i}]`));
}

function normalizeOutcome(value: unknown, field: string): NormalizedOutcome {
  const outcome = requireObject<Outcome>(value, field);
  const kind = requireOneOf(outcome.kind, `${field}.kind`, outcomeKinds);
  // `source` is the caller's own lease object, handed back as is in `fenced`.
  const source = outcome.lease;
  const lease = normalizeLease(source, `${field}.lease`);
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
