-- Circuit breaker snapshots shared by workers: one per (service, key), '' for service-wide.
CREATE TABLE breaker_state (
  service TEXT NOT NULL,
  key TEXT NOT NULL,
  snapshot TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (service, key)
) STRICT;

-- Per-service call statistics in time buckets; workers add to a bucket, never overwrite it.
CREATE TABLE service_health_samples (
  service TEXT NOT NULL,
  bucket_start INTEGER NOT NULL,
  calls INTEGER NOT NULL CHECK (calls >= 0),
  failures INTEGER NOT NULL CHECK (failures >= 0),
  slow_calls INTEGER NOT NULL CHECK (slow_calls >= 0),
  rejected INTEGER NOT NULL CHECK (rejected >= 0),
  duration_ms REAL NOT NULL CHECK (duration_ms >= 0),
  PRIMARY KEY (service, bucket_start)
) STRICT;

-- pruneHealthSamples deletes old buckets of every service.
CREATE INDEX service_health_samples_bucket ON service_health_samples (bucket_start);
