-- Circuit breaker snapshots shared by workers: one per (service, key), '' for service-wide.
CREATE TABLE breaker_state (
  service TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  snapshot JSONB NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (service, key)
);

-- Per-service call statistics in time buckets; workers add to a bucket, never overwrite it.
CREATE TABLE service_health_samples (
  service TEXT COLLATE "C" NOT NULL,
  bucket_start BIGINT NOT NULL,
  calls BIGINT NOT NULL CHECK (calls >= 0),
  failures BIGINT NOT NULL CHECK (failures >= 0),
  slow_calls BIGINT NOT NULL CHECK (slow_calls >= 0),
  rejected BIGINT NOT NULL CHECK (rejected >= 0),
  duration_ms DOUBLE PRECISION NOT NULL CHECK (duration_ms >= 0),
  PRIMARY KEY (service, bucket_start)
);

-- pruneHealthSamples deletes old buckets of every service.
CREATE INDEX service_health_samples_bucket ON service_health_samples (bucket_start);
