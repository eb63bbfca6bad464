-- The worker processes of a fleet: each registers when it starts a run, renews its row as its
-- heartbeat and removes it when it stops; a row whose heartbeat is old is a worker that died.
-- On SQLite, the processes sharing this file.
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  runs TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL CHECK (status IN ('running', 'stopping')),
  started_at INTEGER NOT NULL,
  last_heartbeat_at INTEGER NOT NULL
) STRICT;

-- listWorkers({ since }) and pruning of workers gone silent.
CREATE INDEX workers_heartbeat ON workers (last_heartbeat_at);
