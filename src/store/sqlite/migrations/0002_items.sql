-- One row per (run, stage, item ID). The item state machine (src/store/item-state.ts) is enforced
-- by construction: every UPDATE's `WHERE state IN (...)` and target state are generated from it
-- (src/store/sqlite/sql.ts). A trigger checking each transition was measured at ~15% of the
-- claim/commit cost, so it is not used; the contract tests check the machine instead.
CREATE TABLE items (
  seq INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  stage TEXT NOT NULL,
  id TEXT NOT NULL,
  parent_stage TEXT,
  parent_id TEXT,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'leased', 'completed', 'retry_wait', 'dead', 'skipped')),
  priority INTEGER NOT NULL DEFAULT 0,
  available_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  lease_owner TEXT,
  lease_token TEXT,
  lease_expires_at INTEGER,
  input TEXT NOT NULL,
  output TEXT,
  checkpoint TEXT,
  last_error TEXT,
  last_category TEXT
    CHECK (last_category IN ('recoverable', 'rate_limited', 'non_recoverable', 'degraded')),
  skip_reason TEXT,
  degraded INTEGER NOT NULL DEFAULT 0 CHECK (degraded IN (0, 1)),
  trace_context TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  completed_at INTEGER,
  UNIQUE (run_id, stage, id),
  -- A lease exists exactly while the item is leased.
  CHECK ((state = 'leased') = (lease_owner IS NOT NULL AND lease_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
  CHECK (state = 'leased' OR (lease_owner IS NULL AND lease_token IS NULL AND lease_expires_at IS NULL))
) STRICT;

-- The claim path: claimable items of one stage, highest priority first, then oldest.
CREATE INDEX items_claim ON items (run_id, stage, priority DESC, available_at)
  WHERE state IN ('pending', 'retry_wait');

-- The reclaim sweep: leases by expiry.
CREATE INDEX items_lease_expiry ON items (lease_expires_at) WHERE state = 'leased';

-- Item counts per run and stage, kept by the store in the same transaction as every change, so
-- that progress polling costs one row read instead of a scan of the run (250 ms per 200,000
-- items). `claimable` is pending + retry_wait: a claim cannot tell which of the two it took
-- without reading each row, so retry_wait is counted exactly through items_retry_wait instead.
CREATE TABLE item_counts (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  stage TEXT NOT NULL,
  claimable INTEGER NOT NULL,
  leased INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  dead INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  degraded INTEGER NOT NULL,
  PRIMARY KEY (run_id, stage)
) STRICT;

-- Items waiting out a retry backoff (few, usually): for counts.
CREATE INDEX items_retry_wait ON items (run_id, stage) WHERE state = 'retry_wait';
