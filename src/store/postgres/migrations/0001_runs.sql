-- A run is one execution of a pipeline definition over a set of seeded items. Times are integer
-- milliseconds since the epoch, always supplied by the caller (as on SQLite, so the store never
-- reads a clock); payloads are JSONB. Identifiers sort bytewise (COLLATE "C") like SQLite's, so
-- keyset pages come out in the same order on both backends.
CREATE TABLE runs (
  id TEXT COLLATE "C" PRIMARY KEY,
  pipeline TEXT NOT NULL,
  pipeline_version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
  options JSONB NOT NULL DEFAULT '{}',
  summary JSONB,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- listRuns: newest first.
CREATE INDEX runs_created ON runs (created_at DESC, id DESC);
