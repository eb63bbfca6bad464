import { workerStatuses, type WorkerInfo } from '../records.js';
import {
  requireArray,
  requireId,
  requireInteger,
  requireObject,
  requireOneOf,
  requireTime,
} from '../validate.js';

/** Checks a worker registration identically for every backend, naming the field of a refusal. */
export function normalizeWorker(worker: unknown): WorkerInfo {
  const w = requireObject<WorkerInfo>(worker, 'worker');
  return {
    id: requireId(w.id, 'worker.id'),
    host: requireId(w.host, 'worker.host'),
    pid: requireInteger(w.pid, 'worker.pid', 0, 2 ** 31 - 1),
    runs: requireArray<unknown>(w.runs, 'worker.runs').map((run, i) =>
      requireId(run, `worker.runs[${i}]`),
    ),
    status: requireOneOf(w.status, 'worker.status', workerStatuses),
  };
}

export function normalizeSince(options: unknown): number | null {
  if (options === undefined) return null;
  const o = requireObject<{ since?: unknown }>(options, 'options');
  return o.since === undefined ? null : requireTime(o.since, 'options.since');
}
