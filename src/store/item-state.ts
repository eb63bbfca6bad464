import { IllegalTransitionError, InvalidConfigError } from '../errors/index.js';

/**
 * The item state machine, per stage, as pure data. Every backend derives the `WHERE state IN
 * (...)` of its updates from `itemEvents`, so the SQL cannot drift from this table, and the
 * contract tests check the stored states against it.
 *
 *   pending ──claim──> leased ──complete──> completed
 *      ^                 │ ├───retry────> retry_wait ──claim──> leased
 *      │                 │ ├───dead─────> dead
 *      │                 │ └───skip─────> skipped
 *      └──release/reclaim┘
 *   dead ──retryDeadLetter──> pending;  retry_wait | dead ──resetFailed──> pending
 *   pending | retry_wait ──cancel──> skipped
 *
 * `degraded` is a flag on a completed item, not a state. `completed` and `skipped` are terminal.
 */
export type ItemState = 'pending' | 'leased' | 'completed' | 'retry_wait' | 'dead' | 'skipped';

export const itemStates: readonly ItemState[] = Object.freeze([
  'pending',
  'leased',
  'completed',
  'retry_wait',
  'dead',
  'skipped',
]);

/** What can happen to an item; each event moves it from one of `from` to `to`. */
export type ItemEvent =
  | 'claim'
  | 'complete'
  | 'retry'
  | 'dead'
  | 'skip'
  | 'release'
  | 'reclaim'
  | 'retryDeadLetter'
  | 'resetFailed'
  | 'cancel';

export interface ItemTransition {
  readonly from: readonly ItemState[];
  readonly to: ItemState;
}

const transition = (from: ItemState[], to: ItemState): ItemTransition =>
  Object.freeze({ from: Object.freeze(from), to });

export const itemEvents: Readonly<Record<ItemEvent, ItemTransition>> = Object.freeze({
  claim: transition(['pending', 'retry_wait'], 'leased'),
  complete: transition(['leased'], 'completed'),
  retry: transition(['leased'], 'retry_wait'),
  dead: transition(['leased'], 'dead'),
  skip: transition(['leased'], 'skipped'),
  release: transition(['leased'], 'pending'),
  reclaim: transition(['leased'], 'pending'),
  retryDeadLetter: transition(['dead'], 'pending'),
  resetFailed: transition(['retry_wait', 'dead'], 'pending'),
  cancel: transition(['pending', 'retry_wait'], 'skipped'),
});

/** States a worker may claim from (once `available_at` is reached). */
export const claimableStates: readonly ItemState[] = itemEvents.claim.from;

/** States no event leaves. */
export const terminalStates: readonly ItemState[] = Object.freeze(
  itemStates.filter((state) =>
    Object.values(itemEvents).every((event) => !event.from.includes(state)),
  ),
);

const legal = new Set<string>(
  Object.values(itemEvents).flatMap((event) => event.from.map((from) => `${from}>${event.to}`)),
);

export function isItemState(value: unknown): value is ItemState {
  return typeof value === 'string' && (itemStates as readonly string[]).includes(value);
}

/** Whether some event moves an item from `from` to `to`. */
export function canTransition(from: ItemState, to: ItemState): boolean {
  return legal.has(`${from}>${to}`);
}

/** The states an item in `from` can move to. */
export function nextStates(from: ItemState): readonly ItemState[] {
  return itemStates.filter((to) => canTransition(from, to));
}

/** Throws IllegalTransitionError unless some event moves an item from `from` to `to`. */
export function assertTransition(from: ItemState, to: ItemState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}

/** The state `event` leads to from `from`; throws IllegalTransitionError if it cannot happen. */
export function applyItemEvent(from: ItemState, event: ItemEvent): ItemState {
  const rule = (itemEvents as Partial<Record<string, ItemTransition>>)[event];
  if (rule === undefined) {
    throw new InvalidConfigError('event', `one of ${Object.keys(itemEvents).join(', ')}`, event);
  }
  const { from: sources, to } = rule;
  if (!sources.includes(from)) throw new IllegalTransitionError(from, to, event);
  return to;
}
