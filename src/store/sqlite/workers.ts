import type Database from 'better-sqlite3';
import { normalizeSince, normalizeWorker } from '../input/workers.js';
import type { WorkerRecord, WorkerStatus } from '../records.js';
import { requireId, requireTime } from '../validate.js';

/**
 * The workers table: registration doubling as heartbeat (an UPSERT keeping started_at), removal,
 * listing and pruning. On SQLite the "fleet" is the processes sharing this file.
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

function toWorkerRecord(row: WorkerRow): WorkerRecord {
  return {
    id: row.id,
    host: row.host,
    pid: row.pid,
    runs: JSON.parse(row.runs) as string[],
    status: row.status,
    startedAt: row.started_at,
    lastHeartbeatAt: row.last_heartbeat_at,
  };
}

export function prepareWorkers(db: Database.Database) {
  const upsert = db.prepare(
    `INSERT INTO workers (id, host, pid, runs, status, started_at, last_heartbeat_at)
     VALUES (@id, @host, @pid, @runs, @status, @now, @now)
     ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid,
       runs = excluded.runs, status = excluded.status, last_heartbeat_at = excluded.last_heartbeat_at`,
  );
  const remove = db.prepare('DELETE FROM workers WHERE id = ?');
  const list = db.prepare<{ since: number | null }, WorkerRow>(
    `SELECT * FROM workers WHERE (@since IS NULL OR last_heartbeat_at >= @since)
     ORDER BY started_at, id`,
  );
  const prune = db.prepare('DELETE FROM workers WHERE last_heartbeat_at < ?');

  return {
    registerWorker(worker: unknown, now: unknown): void {
      const w = normalizeWorker(worker);
      upsert.run({ ...w, runs: JSON.stringify(w.runs), now: requireTime(now, 'now') });
    },
    deregisterWorker(id: unknown): boolean {
      return remove.run(requireId(id, 'id')).changes === 1;
    },
    listWorkers(options: unknown): WorkerRecord[] {
      return list.all({ since: normalizeSince(options) }).map(toWorkerRecord);
    },
    pruneWorkers(before: unknown): number {
      return prune.run(requireTime(before, 'before')).changes;
    },
  };
}
