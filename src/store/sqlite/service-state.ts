import type Database from 'better-sqlite3';
import { normalizeHealthSample } from '../input/filters.js';
import { fromJson, toJson } from '../json.js';
import type {
  BreakerStateRecord,
  CheckpointRecord,
  HealthSample,
  NamedCheckpointRecord,
} from '../records.js';
import { requireId, requireString, requireTime } from '../validate.js';
import { runChecker } from './sql.js';

/**
 * Small keyed state beside the items: run checkpoints (a source's cursor), circuit breaker
 * snapshots shared by workers, and per-service health buckets that workers add to.
 */
export function prepareServiceState(db: Database.Database) {
  const requireRun = runChecker(db);
  const putCheckpoint = db.prepare(
    `INSERT INTO checkpoints (run_id, name, state, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (run_id, name) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
  );
  const getCheckpoint = db.prepare<[string, string], { state: string; updated_at: number }>(
    'SELECT state, updated_at FROM checkpoints WHERE run_id = ? AND name = ?',
  );
  const listCheckpoints = db.prepare<[string], { name: string; state: string; updated_at: number }>(
    'SELECT name, state, updated_at FROM checkpoints WHERE run_id = ? ORDER BY name',
  );
  const saveBreaker = db.prepare(
    `INSERT INTO breaker_state (service, key, snapshot, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (service, key) DO UPDATE SET snapshot = excluded.snapshot,
       updated_at = excluded.updated_at`,
  );
  type BreakerRow = { service: string; key: string; snapshot: string; updated_at: number };
  const loadBreakers = db.prepare<[string], BreakerRow>(
    'SELECT * FROM breaker_state WHERE service = ? ORDER BY key',
  );
  const loadBreaker = db.prepare<[string, string], BreakerRow>(
    'SELECT * FROM breaker_state WHERE service = ? AND key = ?',
  );
  const addSample = db.prepare<HealthSample>(
    `INSERT INTO service_health_samples
       (service, bucket_start, calls, failures, slow_calls, rejected, duration_ms)
     VALUES (@service, @bucketStart, @calls, @failures, @slowCalls, @rejected, @durationMs)
     ON CONFLICT (service, bucket_start) DO UPDATE SET
       calls = calls + excluded.calls, failures = failures + excluded.failures,
       slow_calls = slow_calls + excluded.slow_calls, rejected = rejected + excluded.rejected,
       duration_ms = duration_ms + excluded.duration_ms`,
  );
  const listSamples = db.prepare<[string, number], HealthSample>(
    `SELECT service, bucket_start AS bucketStart, calls, failures, slow_calls AS slowCalls,
       rejected, duration_ms AS durationMs
     FROM service_health_samples WHERE service = ? AND bucket_start >= ? ORDER BY bucket_start`,
  );
  const prune = db.prepare('DELETE FROM service_health_samples WHERE bucket_start < ?');

  const toBreaker = (row: BreakerRow): BreakerStateRecord => ({
    service: row.service,
    key: row.key,
    snapshot: fromJson(row.snapshot),
    updatedAt: row.updated_at,
  });

  return {
    putCheckpoint(runId: unknown, name: unknown, state: unknown, now: unknown): void {
      const id = requireId(runId, 'runId');
      const n = requireId(name, 'name');
      const json = toJson(state, 'state');
      const at = requireTime(now, 'now');
      requireRun(id);
      putCheckpoint.run(id, n, json, at);
    },

    getCheckpoint(runId: unknown, name: unknown): CheckpointRecord | undefined {
      const row = getCheckpoint.get(requireId(runId, 'runId'), requireId(name, 'name'));
      return row === undefined
        ? undefined
        : { state: fromJson(row.state), updatedAt: row.updated_at };
    },

    listCheckpoints(runId: unknown): NamedCheckpointRecord[] {
      return listCheckpoints
        .all(requireId(runId, 'runId'))
        .map((row) => ({ name: row.name, state: fromJson(row.state), updatedAt: row.updated_at }));
    },

    saveBreakerState(service: unknown, key: unknown, snapshot: unknown, now: unknown): void {
      saveBreaker.run(
        requireId(service, 'service'),
        requireString(key, 'key'),
        toJson(snapshot, 'snapshot'),
        requireTime(now, 'now'),
      );
    },

    loadBreakerState(service: unknown, key: unknown): BreakerStateRecord[] {
      const s = requireId(service, 'service');
      if (key === undefined) return loadBreakers.all(s).map(toBreaker);
      const row = loadBreaker.get(s, requireString(key, 'key'));
      return row === undefined ? [] : [toBreaker(row)];
    },

    recordHealthSample(sample: unknown): void {
      addSample.run(normalizeHealthSample(sample));
    },

    listHealthSamples(service: unknown, since: unknown): HealthSample[] {
      return listSamples.all(requireId(service, 'service'), requireTime(since, 'since'));
    },

    pruneHealthSamples(before: unknown): number {
      return prune.run(requireTime(before, 'before')).changes;
    },
  };
}
