import type Database from 'better-sqlite3';
import { itemStates, type ItemState } from '../item-state.js';
import type { StageCounts } from '../records.js';

/**
 * The item_counts table: per run and stage, how many items are in each state, maintained by
 * every write path in its own transaction so that `counts()` reads a few rows instead of scanning
 * the run. Writers collect deltas in a CountDeltas and apply them once per transaction (one
 * UPSERT per run and stage touched, usually one or two per batch).
 *
 * pending and retry_wait share one counter, `claimable`, because a claim does not know which of
 * the two each row was; retry_wait is counted exactly through the partial index items_retry_wait
 * and pending is the difference.
 */
export type CountField = 'claimable' | 'leased' | 'completed' | 'dead' | 'skipped' | 'degraded';

const fieldOf: Record<ItemState, CountField> = {
  pending: 'claimable',
  retry_wait: 'claimable',
  leased: 'leased',
  completed: 'completed',
  dead: 'dead',
  skipped: 'skipped',
};

type Delta = { runId: string; stage: string } & Record<CountField, number>;

export class CountDeltas {
  readonly #deltas = new Map<string, Delta>();
  /** The last one used: a batch is mostly one run and stage, so most calls build no key. */
  #last: Delta | undefined;

  #delta(runId: string, stage: string): Delta {
    const last = this.#last;
    if (last !== undefined && last.runId === runId && last.stage === stage) return last;
    const key = `${runId}\u0000${stage}`;
    let delta = this.#deltas.get(key);
    if (delta === undefined) {
      delta = {
        runId,
        stage,
        claimable: 0,
        leased: 0,
        completed: 0,
        dead: 0,
        skipped: 0,
        degraded: 0,
      };
      this.#deltas.set(key, delta);
    }
    this.#last = delta;
    return delta;
  }

  /** `n` new items in `state`. */
  add(runId: string, stage: string, state: ItemState, n: number): void {
    if (n !== 0) this.#delta(runId, stage)[fieldOf[state]] += n;
  }

  /** `n` items moved from one state to another. */
  move(runId: string, stage: string, from: ItemState, to: ItemState, n = 1): void {
    if (n === 0 || fieldOf[from] === fieldOf[to]) return;
    const delta = this.#delta(runId, stage);
    delta[fieldOf[from]] -= n;
    delta[fieldOf[to]] += n;
  }

  /** `n` completed items flagged degraded. */
  degraded(runId: string, stage: string, n = 1): void {
    this.#delta(runId, stage).degraded += n;
  }

  values(): IterableIterator<Delta> {
    return this.#deltas.values();
  }
}

type CountsRow = { stage: string } & Record<CountField, number>;

export function prepareCounters(db: Database.Database) {
  const upsert = db.prepare<Delta>(
    `INSERT INTO item_counts (run_id, stage, claimable, leased, completed, dead, skipped, degraded)
     VALUES (@runId, @stage, @claimable, @leased, @completed, @dead, @skipped, @degraded)
     ON CONFLICT (run_id, stage) DO UPDATE SET
       claimable = claimable + excluded.claimable, leased = leased + excluded.leased,
       completed = completed + excluded.completed, dead = dead + excluded.dead,
       skipped = skipped + excluded.skipped, degraded = degraded + excluded.degraded`,
  );
  const read = db.prepare<[string], CountsRow>(
    `SELECT stage, claimable, leased, completed, dead, skipped, degraded FROM item_counts
     WHERE run_id = ? ORDER BY stage`,
  );
  const retryWaiting = db.prepare<[string], { stage: string; n: number }>(
    `SELECT stage, count(*) AS n FROM items WHERE run_id = ? AND state = 'retry_wait'
     GROUP BY stage`,
  );

  return {
    /** Applies the deltas; call inside the transaction that made the changes. */
    apply(deltas: CountDeltas): void {
      for (const delta of deltas.values()) upsert.run(delta);
    },

    counts(runId: string): Record<string, StageCounts> {
      const waiting = new Map(retryWaiting.all(runId).map((row) => [row.stage, row.n]));
      const result: Record<string, StageCounts> = {};
      for (const row of read.all(runId)) {
        const retryWait = waiting.get(row.stage) ?? 0;
        const byState: Record<ItemState, number> = {
          pending: row.claimable - retryWait,
          leased: row.leased,
          completed: row.completed,
          retry_wait: retryWait,
          dead: row.dead,
          skipped: row.skipped,
        };
        const total = itemStates.reduce((sum, state) => sum + byState[state], 0);
        if (total === 0) continue;
        result[row.stage] = { ...byState, total, degraded: row.degraded };
      }
      return result;
    },
  };
}
