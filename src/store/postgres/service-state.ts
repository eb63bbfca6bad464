import { normalizeHealthSample } from '../input/filters.js';
import { fromJson, toJson } from '../json.js';
import type {
  BreakerStateRecord,
  CheckpointRecord,
  HealthSample,
  NamedCheckpointRecord,
} from '../records.js';
import { requireId, requireString, requireTime } from '../validate.js';
import { runChecker, type PgContext } from './sql.js';

/**
 * Small keyed state beside the items: run checkpoints (a source's cursor), circuit breaker
 * snapshots shared by workers, and per-service health buckets that workers add to (an UPSERT
 * adding to the bucket, so concurrent workers never overwrite each other's counts).
 */
export function prepareServiceState(ctx: PgContext) {
  const { pool, q } = ctx;
  const requireRun = runChecker(ctx);
  const putCheckpoint = `INSERT INTO ${q}.checkpoints (run_id, name, state, updated_at)
     VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (run_id, name) DO UPDATE SET state = excluded.state,
       updated_at = excluded.updated_at`;
  const getCheckpoint = `SELECT state, updated_at FROM ${q}.checkpoints
     WHERE run_id = $1 AND name = $2`;
  const listCheckpoints = `SELECT name, state, updated_at FROM ${q}.checkpoints
     WHERE run_id = $1 ORDER BY name`;
  const saveBreaker = `INSERT INTO ${q}.breaker_state (service, key, snapshot, updated_at)
     VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (service, key) DO UPDATE SET snapshot = excluded.snapshot,
       updated_at = excluded.updated_at`;
  type BreakerRow = { service: string; key: string; snapshot: string; updated_at: number };
  const loadBreakers = `SELECT * FROM ${q}.breaker_state WHERE service = $1 ORDER BY key`;
  const loadBreaker = `SELECT * FROM ${q}.breaker_state WHERE service = $1 AND key = $2`;
  const addSample = `INSERT INTO ${q}.service_health_samples AS s
       (service, bucket_start, calls, failures, slow_calls, rejected, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (service, bucket_start) DO UPDATE SET
       calls = s.calls + excluded.calls, failures = s.failures + excluded.failures,
       slow_calls = s.slow_calls + excluded.slow_calls, rejected = s.rejected + excluded.rejected,
       duration_ms = s.duration_ms + excluded.duration_ms`;
  const listSamples = `SELECT service, bucket_start AS "bucketStart", calls, failures,
       slow_calls AS "slowCalls", rejected, duration_ms AS "durationMs"
     FROM ${q}.service_health_samples WHERE service = $1 AND bucket_start >= $2
     ORDER BY bucket_start`;
  const prune = `DELETE FROM ${q}.service_health_samples WHERE bucket_start < $1`;

  const toBreaker = (row: BreakerRow): BreakerStateRecord => ({
    service: row.service,
    key: row.key,
    snapshot: fromJson(row.snapshot),
    updatedAt: row.updated_at,
  });

  return {
    async putCheckpoint(runId: unknown, name: unknown, state: unknown, now: unknown) {
      const id = requireId(runId, 'runId');
      const n = requireId(name, 'name');
      const json = toJson(state, 'state');
      const at = requireTime(now, 'now');
      await requireRun(pool, id);
      await pool.query(putCheckpoint, [id, n, json, at]);
    },

    async getCheckpoint(runId: unknown, name: unknown): Promise<CheckpointRecord | undefined> {
      const { rows } = await pool.query<{ state: string; updated_at: number }>(getCheckpoint, [
        requireId(runId, 'runId'),
        requireId(name, 'name'),
      ]);
      const row = rows[0];
      return row === undefined
        ? undefined
        : { state: fromJson(row.state), updatedAt: row.updated_at };
    },

    async listCheckpoints(runId: unknown): Promise<NamedCheckpointRecord[]> {
      const { rows } = await pool.query<{ name: string; state: string; updated_at: number }>(
        listCheckpoints,
        [requireId(runId, 'runId')],
      );
      return rows.map((row) => ({
        name: row.name,
        state: fromJson(row.state),
        updatedAt: row.updated_at,
      }));
    },

    async saveBreakerState(service: unknown, key: unknown, snapshot: unknown, now: unknown) {
      await pool.query(saveBreaker, [
        requireId(service, 'service'),
        requireString(key, 'key'),
        toJson(snapshot, 'snapshot'),
        requireTime(now, 'now'),
      ]);
    },

    async loadBreakerState(service: unknown, key: unknown): Promise<BreakerStateRecord[]> {
      const s = requireId(service, 'service');
      if (key === undefined)
        return (await pool.query<BreakerRow>(loadBreakers, [s])).rows.map(toBreaker);
      const { rows } = await pool.query<BreakerRow>(loadBreaker, [s, requireString(key, 'key')]);
      return rows.map(toBreaker);
    },

    async recordHealthSample(sample: unknown): Promise<void> {
      const s = normalizeHealthSample(sample);
      await pool.query(addSample, [
        s.service,
        s.bucketStart,
        s.calls,
        s.failures,
        s.slowCalls,
        s.rejected,
        s.durationMs,
      ]);
    },

    async listHealthSamples(service: unknown, since: unknown): Promise<HealthSample[]> {
      const { rows } = await pool.query<HealthSample>(listSamples, [
        requireId(service, 'service'),
        requireTime(since, 'since'),
      ]);
      return rows;
    },

    async pruneHealthSamples(before: unknown): Promise<number> {
      return (await pool.query(prune, [requireTime(before, 'before')])).rowCount ?? 0;
    },
  };
}
