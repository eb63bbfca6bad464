-- One row per (run, stage, item ID): the same table as SQLite's 0002_items.sql. The item state
-- machine (src/store/item-state.ts) is enforced by the WHERE clauses of the store's updates.
CREATE TABLE items (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  stage TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  parent_stage TEXT,
  parent_id TEXT,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'leased', 'completed', 'retry_wait', 'dead', 'skipped')),
  priority INTEGER NOT NULL DEFAULT 0,
  available_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  lease_owner TEXT,
  lease_token TEXT,
  lease_expires_at BIGINT,
  input JSONB NOT NULL,
  output JSONB,
  checkpoint JSONB,
  last_error TEXT,
  last_category TEXT
    CHECK (last_category IN ('recoverable', 'rate_limited', 'non_recoverable', 'degraded')),
  skip_reason TEXT,
  degraded BOOLEAN NOT NULL DEFAULT false,
  trace_context TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  completed_at BIGINT,
  UNIQUE (run_id, stage, id),
  -- A lease exists exactly while the item is leased.
  CHECK ((state = 'leased') = (lease_owner IS NOT NULL AND lease_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
  CHECK (state = 'leased' OR (lease_owner IS NULL AND lease_token IS NULL AND lease_expires_at IS NULL))
);

-- The claim path (with FOR UPDATE SKIP LOCKED): claimable items of one stage, best first.
CREATE INDEX items_claim ON items (run_id, stage, priority DESC, available_at)
  WHERE state IN ('pending', 'retry_wait');

-- The reclaim sweep: leases by expiry.
CREATE INDEX items_lease_expiry ON items (lease_expires_at) WHERE state = 'leased';

-- Item counts per run and stage, as on SQLite (see its 0002_items.sql). A PostgreSQL store may
-- prefer not to keep them (one hot row per stage under concurrent commits) and count instead.
CREATE TABLE item_counts (
  run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  stage TEXT COLLATE "C" NOT NULL,
  claimable BIGINT NOT NULL,
  leased BIGINT NOT NULL,
  completed BIGINT NOT NULL,
  dead BIGINT NOT NULL,
  skipped BIGINT NOT NULL,
  degraded BIGINT NOT NULL,
  PRIMARY KEY (run_id, stage)
);

-- Items waiting out a retry backoff (few, usually): for counts.
CREATE INDEX items_retry_wait ON items (run_id, stage) WHERE state = 'retry_wait';
