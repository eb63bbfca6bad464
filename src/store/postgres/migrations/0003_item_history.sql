-- Every retried failure (and every lost lease), one row per attempt: the item's story.
CREATE TABLE retry_history (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  stage TEXT COLLATE "C" NOT NULL,
  item_id TEXT COLLATE "C" NOT NULL,
  attempt INTEGER NOT NULL,
  category TEXT NOT NULL
    CHECK (category IN ('recoverable', 'rate_limited', 'non_recoverable', 'degraded')),
  error TEXT NOT NULL,
  delay_ms BIGINT NOT NULL,
  at BIGINT NOT NULL
);

CREATE INDEX retry_history_item ON retry_history (run_id, stage, item_id);

-- One row each time an item died; retried_at is set when it is sent back to pending.
CREATE TABLE dead_letters (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  stage TEXT COLLATE "C" NOT NULL,
  item_id TEXT COLLATE "C" NOT NULL,
  attempt INTEGER NOT NULL,
  category TEXT NOT NULL
    CHECK (category IN ('recoverable', 'rate_limited', 'non_recoverable', 'degraded')),
  error TEXT NOT NULL,
  at BIGINT NOT NULL,
  retried_at BIGINT
);

CREATE INDEX dead_letters_item ON dead_letters (run_id, stage, item_id);
