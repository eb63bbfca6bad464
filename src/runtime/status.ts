import { InvalidConfigError } from '../errors/index.js';
import type { RunRecord, StageCounts, Store } from '../store/index.js';
import type { ProgressCheckpoint } from './active-run.js';

export interface RunStatusReport {
  readonly run: RunRecord;
  readonly counts: Readonly<Record<string, StageCounts>>;
  /** Items finished (completed, dead or skipped) and still open (pending, leased, waiting). */
  readonly finished: number;
  readonly open: number;
  readonly dead: number;
  /** Items finished per second between the last two progress checkpoints (or since the start). */
  readonly throughputPerSecond: number | undefined;
  /** Seconds until the open items are done at that rate; undefined when not running or unknown. */
  readonly etaSeconds: number | undefined;
  readonly lastCheckpointAt: number | undefined;
}

/**
 * A run's status as any process can read it from the store: counts per stage and state,
 * throughput and ETA from the engine's progress checkpoints, the last checkpoint time.
 */
export async function getRunStatus(
  store: Store,
  runId: string,
  now: number = Date.now(),
): Promise<RunStatusReport> {
  const run = await store.getRun(runId);
  if (!run) throw new InvalidConfigError('runId', 'the ID of an existing run', runId);
  const counts = await store.counts(runId);
  let finished = 0;
  let open = 0;
  let dead = 0;
  for (const c of Object.values(counts)) {
    finished += c.completed + c.dead + c.skipped;
    open += c.pending + c.leased + c.retry_wait;
    dead += c.dead;
  }
  const progress = (await store.getCheckpoint(runId, 'progress'))?.state as
    ProgressCheckpoint | undefined;
  const from = progress?.previous ?? { at: run.createdAt, finished: 0 };
  const to = progress ?? { at: now, finished };
  const seconds = (to.at - from.at) / 1000;
  const throughputPerSecond = seconds > 0 ? (to.finished - from.finished) / seconds : undefined;
  const etaSeconds =
    run.status === 'running' && throughputPerSecond !== undefined && throughputPerSecond > 0
      ? open / throughputPerSecond
      : undefined;
  return {
    run,
    counts,
    finished,
    open,
    dead,
    throughputPerSecond,
    etaSeconds,
    lastCheckpointAt: progress?.at,
  };
}
