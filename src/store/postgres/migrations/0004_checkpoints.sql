-- Run-level named state, e.g. a paginated source's cursor, written as the run progresses.
CREATE TABLE checkpoints (
  run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT COLLATE "C" NOT NULL,
  state JSONB NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (run_id, name)
);
