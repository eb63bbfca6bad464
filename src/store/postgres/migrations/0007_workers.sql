-- The worker processes of a fleet, as on SQLite (see its 0007_workers.sql). UNLOGGED: rows are
-- rewritten by every heartbeat and worth nothing after a server crash (the workers re-register
-- within one heartbeat), so they skip the WAL; a crash empties the table.
CREATE UNLOGGED TABLE workers (
  id TEXT COLLATE "C" PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  runs JSONB NOT NULL DEFAULT '[]',
  status TEXT NOT NULL CHECK (status IN ('running', 'stopping')),
  started_at BIGINT NOT NULL,
  last_heartbeat_at BIGINT NOT NULL
);

-- listWorkers({ since }) and pruning of workers gone silent.
CREATE INDEX workers_heartbeat ON workers (last_heartbeat_at);
