import { describe, expect, it } from 'vitest';
import { isIllegalTransitionError, isInvalidConfigError } from '../errors/index.js';
import {
  applyItemEvent,
  assertTransition,
  canTransition,
  claimableStates,
  isItemState,
  itemEvents,
  itemStates,
  nextStates,
  terminalStates,
  type ItemEvent,
  type ItemState,
} from './item-state.js';

// Written out by hand from the design, independently of the table in item-state.ts.
const legalPairs = new Set([
  'pending>leased',
  'pending>skipped',
  'leased>completed',
  'leased>retry_wait',
  'leased>dead',
  'leased>skipped',
  'leased>pending',
  'retry_wait>leased',
  'retry_wait>pending',
  'retry_wait>skipped',
  'dead>pending',
]);

const allPairs = itemStates.flatMap((from) => itemStates.map((to) => [from, to] as const));

describe('item state machine', () => {
  it.each(allPairs.filter(([f, t]) => legalPairs.has(`${f}>${t}`)))('allows %s -> %s', (f, t) => {
    expect(canTransition(f, t)).toBe(true);
    expect(() => assertTransition(f, t)).not.toThrow();
  });

  it.each(allPairs.filter(([f, t]) => !legalPairs.has(`${f}>${t}`)))('refuses %s -> %s', (f, t) => {
    expect(canTransition(f, t)).toBe(false);
    let caught: unknown;
    try {
      assertTransition(f, t);
    } catch (error) {
      caught = error;
    }
    expect(isIllegalTransitionError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'SLUICE_ILLEGAL_TRANSITION', from: f, to: t });
    expect(String(caught)).toContain(`illegal item state transition ${f} -> ${t}`);
  });

  const expectedEvents: Record<ItemEvent, [ItemState[], ItemState]> = {
    claim: [['pending', 'retry_wait'], 'leased'],
    complete: [['leased'], 'completed'],
    retry: [['leased'], 'retry_wait'],
    dead: [['leased'], 'dead'],
    skip: [['leased'], 'skipped'],
    release: [['leased'], 'pending'],
    reclaim: [['leased'], 'pending'],
    retryDeadLetter: [['dead'], 'pending'],
    resetFailed: [['retry_wait', 'dead'], 'pending'],
    cancel: [['pending', 'retry_wait'], 'skipped'],
  };

  it.each(Object.keys(expectedEvents) as ItemEvent[])(
    'applies event %s from each state',
    (event) => {
      const [from, to] = expectedEvents[event];
      expect(itemEvents[event]).toEqual({ from, to });
      for (const state of itemStates) {
        if (from.includes(state)) {
          expect(applyItemEvent(state, event)).toBe(to);
        } else {
          expect(() => applyItemEvent(state, event)).toThrow(
            `illegal item state transition ${state} -> ${to} (${event})`,
          );
        }
      }
    },
  );

  it('names the field of an unknown event', () => {
    let caught: unknown;
    try {
      applyItemEvent('pending', 'explode' as ItemEvent);
    } catch (error) {
      caught = error;
    }
    expect(isInvalidConfigError(caught) && caught.field).toBe('event');
  });

  it('derives claimable, terminal and next states', () => {
    expect(claimableStates).toEqual(['pending', 'retry_wait']);
    expect(terminalStates).toEqual(['completed', 'skipped']);
    expect(nextStates('leased')).toEqual(['pending', 'completed', 'retry_wait', 'dead', 'skipped']);
    expect(nextStates('completed')).toEqual([]);
    expect(isItemState('retry_wait')).toBe(true);
    expect(isItemState('done')).toBe(false);
    expect(isItemState(3)).toBe(false);
  });
});
