import { normalizeSince, normalizeWorker } from '../input/workers.js';
import type { WorkerRecord, WorkerStatus } from '../records.js';
import { requireId, requireTime } from '../validate.js';
import type { PgContext } from './sql.js';

/**
 * The workers table (UNLOGGED, see migrations/0007_workers.sql): registration doubling as
 * heartbeat (an UPSERT keeping started_at), removal, listing and pruning.
 */
interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  runs: string;
  status: WorkerStatus;
  started_at: number;
  last_heartbeat_at: number;
}

export function prepareWorkers(ctx: PgContext) {
  const { pool, q } = ctx;
  const upsert = `INSERT INTO ${q}.workers
       (id, host, pid, runs, status, started_at, last_heartbeat_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $6)
     ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid,
       runs = excluded.runs, status = excluded.status,
       last_heartbeat_at = excluded.last_heartbeat_at`;
  const list = `SELECT * FROM ${q}.workers WHERE ($1::bigint IS NULL OR last_heartbeat_at >= $1)
     ORDER BY started_at, id`;

  return {
    async registerWorker(worker: unknown, now: unknown): Promise<void> {
      const w = normalizeWorker(worker);
      const at = requireTime(now, 'now');
      await pool.query({
        name: ctx.name('register_worker'),
        text: upsert,
        values: [w.id, w.host, w.pid, JSON.stringify(w.runs), w.status, at],
      });
    },
    async deregisterWorker(id: unknown): Promise<boolean> {
      const { rowCount } = await pool.query(`DELETE FROM ${q}.workers WHERE id = $1`, [
        requireId(id, 'id'),
      ]);
      return rowCount === 1;
    },
    async listWorkers(options: unknown): Promise<WorkerRecord[]> {
      const { rows } = await pool.query<WorkerRow>(list, [normalizeSince(options)]);
      return rows.map((row) => ({
        id: row.id,
        host: row.host,
        pid: row.pid,
        runs: JSON.parse(row.runs) as string[],
        status: row.status,
        startedAt: row.started_at,
        lastHeartbeatAt: row.last_heartbeat_at,
      }));
    },
    async pruneWorkers(before: unknown): Promise<number> {
      const { rowCount } = await pool.query(
        `DELETE FROM ${q}.workers WHERE last_heartbeat_at < $1`,
        [requireTime(before, 'before')],
      );
      return rowCount ?? 0;
    },
  };
}
