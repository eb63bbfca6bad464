import type Database from 'better-sqlite3';
import { InvalidConfigError } from '../../errors/index.js';
import { itemEvents, type ItemEvent } from '../item-state.js';
import type { Lease } from '../records.js';

/**
 * Small SQL helpers of the SQLite backend. State lists are generated from the item state machine
 * (constants, never user input), so each update's `WHERE state IN (...)` is the machine's own.
 */
export function fromStates(event: ItemEvent): string {
  return `(${itemEvents[event].from.map((s) => `'${s}'`).join(', ')})`;
}

export function toState(event: ItemEvent): string {
  return `'${itemEvents[event].to}'`;
}

/** Clears the lease columns, as every transition out of `leased` must. */
export const clearLease = 'lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL';

/**
 * The fence every write on a leased item carries, with positional parameters (measurably cheaper
 * than named ones on the hottest statements), bound last by `fenceParams`.
 */
export const fenced = `run_id = ? AND stage = ? AND id = ? AND state = 'leased' AND lease_owner = ? AND lease_token = ?`;

export function fenceParams(lease: Lease): [string, string, string, string, string] {
  return [lease.runId, lease.stage, lease.id, lease.owner, lease.token];
}

/**
 * The same fence for a lease this store handed out (see claimed.ts), by its row's seq: a primary
 * key lookup instead of the (run_id, stage, id) text index. Parameters: seq, owner, token.
 */
export const fencedBySeq = `seq = ? AND state = 'leased' AND lease_owner = ? AND lease_token = ?`;

/** Refuses a run ID that does not exist, naming the field. */
export function runChecker(db: Database.Database): (runId: string, field?: string) => void {
  const exists = db.prepare<[string], number>('SELECT 1 FROM runs WHERE id = ?').pluck();
  return (runId, field = 'runId') => {
    if (exists.get(runId) === undefined) {
      throw new InvalidConfigError(field, 'the ID of an existing run', runId);
    }
  };
}

/** JSON text for an optional array filter bound to `json_each(?)`, or null when absent. */
export function jsonList(values: readonly string[] | null): string | null {
  return values === null ? null : JSON.stringify(values);
}
