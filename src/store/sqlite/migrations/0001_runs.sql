-- A run is one execution of a pipeline definition over a set of seeded items. Times are integer
-- milliseconds since the epoch, always supplied by the caller; payloads are JSON text.
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  pipeline TEXT NOT NULL,
  pipeline_version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
  options TEXT NOT NULL DEFAULT '{}',
  summary TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- listRuns: newest first.
CREATE INDEX runs_created ON runs (created_at DESC, id DESC);
