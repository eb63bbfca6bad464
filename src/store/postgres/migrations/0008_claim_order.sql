-- The claim orders by (priority DESC, available_at, seq) and takes the first n with SKIP LOCKED.
-- Without seq in the index, rows tied on priority and available_at (a seeded batch: all of them)
-- came out of the index unordered by seq, and the claim sorted the whole tied group (every
-- pending item of the stage) to take n: 40 ms per claim at 50,000 items. With seq, the index
-- yields the claim order itself and the scan stops after n rows.
DROP INDEX items_claim;
CREATE INDEX items_claim ON items (run_id, stage, priority DESC, available_at, seq)
  WHERE state IN ('pending', 'retry_wait');
