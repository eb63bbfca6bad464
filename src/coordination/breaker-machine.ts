import type {
  SharedBreakerAdmission,
  SharedBreakerReport,
  SharedBreakerRule,
  SharedBreakerState,
  SharedBreakerView,
} from './shared-backend.js';

/**
 * The fleet breaker's state machine for backends that run it in the application inside a
 * transaction holding the breaker's row lock (PostgreSQL). Redis runs the same machine as Lua
 * (redis/scripts.ts): change one, change the other; the shared contract test runs both.
 */
export interface BreakerRow {
  readonly state: SharedBreakerState;
  readonly untilMs: number;
  readonly sinceMs: number;
  readonly permits: number;
  readonly ok: number;
  readonly bad: number;
  readonly gen: number;
}

export interface Step<R> {
  readonly reply: R;
  /** The new row, when it changed. */
  readonly row?: BreakerRow;
  /** Set on a transition, to push to every process. */
  readonly publish?: SharedBreakerView;
}

function open(row: BreakerRow, now: number, openMs: number): Step<SharedBreakerView> {
  const gen = row.gen + 1;
  const view = { state: 'open' as const, remainingMs: openMs, generation: gen };
  return { reply: view, row: { ...row, state: 'open', untilMs: now + openMs, gen }, publish: view };
}

function close(row: BreakerRow): Step<SharedBreakerView> {
  const gen = row.gen + 1;
  const view = { state: 'closed' as const, remainingMs: 0, generation: gen };
  return { reply: view, row: { ...row, state: 'closed', gen }, publish: view };
}

function startRound(
  row: BreakerRow,
  now: number,
  rule: SharedBreakerRule,
): Step<SharedBreakerAdmission> {
  const gen = row.gen + 1;
  return {
    reply: { state: 'half_open', remainingMs: rule.maxWaitMs, generation: gen, probe: true },
    row: {
      ...row,
      state: 'half_open',
      sinceMs: now,
      permits: rule.permits - 1,
      ok: 0,
      bad: 0,
      gen,
    },
    publish: { state: 'half_open', remainingMs: 0, generation: gen },
  };
}

export function admitStep(
  row: BreakerRow,
  now: number,
  rule: SharedBreakerRule,
): Step<SharedBreakerAdmission> {
  const { gen } = row;
  if (row.state === 'closed')
    return { reply: { state: 'closed', remainingMs: 0, generation: gen, probe: false } };
  if (row.state === 'open') {
    if (now < row.untilMs) {
      return {
        reply: { state: 'open', remainingMs: row.untilMs - now, generation: gen, probe: false },
      };
    }
    return startRound(row, now, rule);
  }
  const elapsed = now - row.sinceMs;
  if (elapsed >= rule.maxWaitMs) return startRound(row, now, rule);
  const remainingMs = rule.maxWaitMs - elapsed;
  if (row.permits > 0) {
    return {
      reply: { state: 'half_open', remainingMs, generation: gen, probe: true },
      row: { ...row, permits: row.permits - 1 },
    };
  }
  return { reply: { state: 'half_open', remainingMs, generation: gen, probe: false } };
}

/** A probe's verdict, or (no probe) whether the window must be counted: see `windowStep`. */
export function probeStep(
  row: BreakerRow,
  now: number,
  rule: SharedBreakerRule,
  probe: NonNullable<SharedBreakerReport['probe']>,
): Step<SharedBreakerView> {
  const here = { state: row.state, remainingMs: 0, generation: row.gen };
  if (row.state !== 'half_open' || row.gen !== probe.generation) return { reply: here };
  if (probe.healthy === undefined)
    return { reply: here, row: { ...row, permits: row.permits + 1 } };
  if (probe.healthy) {
    const ok = row.ok + 1;
    return ok >= rule.successThreshold ? close(row) : { reply: here, row: { ...row, ok } };
  }
  const bad = row.bad + 1;
  return bad > rule.permits - rule.successThreshold
    ? open(row, now, rule.openDurationMs)
    : { reply: here, row: { ...row, bad } };
}

/** The view of a row that is not closed (or a report that adds nothing). */
export function viewOf(row: BreakerRow, now: number): SharedBreakerView {
  return {
    state: row.state,
    remainingMs: row.state === 'open' ? Math.max(0, row.untilMs - now) : 0,
    generation: row.gen,
  };
}

/** After the window got the report's calls: open if the fleet's failure rate says so. */
export function windowStep(
  row: BreakerRow,
  now: number,
  rule: SharedBreakerRule,
  totals: { readonly calls: number; readonly failures: number },
): Step<SharedBreakerView> {
  if (
    totals.calls >= rule.minimumCalls &&
    totals.failures / totals.calls >= rule.failureRateThreshold
  ) {
    return open(row, now, rule.openDurationMs);
  }
  return { reply: viewOf(row, now) };
}

export function forceStep(
  row: BreakerRow,
  now: number,
  target: 'closed' | 'open',
  openMs: number,
): Step<SharedBreakerView> {
  return target === 'open' ? open(row, now, openMs) : close(row);
}
