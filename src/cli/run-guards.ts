import type { RunRecord } from '../store/index.js';
import { CliError } from './cli-error.js';

/**
 * Refuses to send items of a cancelled run back to pending: the engine never works a cancelled
 * run again, so they would sit there forever and the run would look unfinished.
 */
export function requireRunnable(run: RunRecord, action: string): void {
  if (run.status === 'cancelled') {
    throw new CliError(
      'SLUICE_RUN_FINISHED',
      `run "${run.id}" was cancelled, so nothing would process its items: refusing to ${action}`,
    );
  }
}

/** Said after items went back to pending: nothing happens to them until a worker runs. */
export const pickUpHint =
  '; a worker still on the run, or the next run of its pipeline, picks them up';
