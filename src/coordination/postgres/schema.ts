/**
 * The tables of Postgres coordination. UNLOGGED: this is soft state (a lost bucket or breaker
 * restarts closed and full after a crash, which is what a restarted fleet would do anyway), and
 * unlogged writes skip the WAL, which is most of their cost. They live in their own schema
 * (default `sluice_coord`), created by `install()`, not by the store's migrations: coordination is
 * optional and may sit on another database than the store.
 */
export function coordinationDdl(schema: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE UNLOGGED TABLE IF NOT EXISTS ${schema}.coord_limits (
  key text PRIMARY KEY,
  tat double precision NOT NULL
);
CREATE UNLOGGED TABLE IF NOT EXISTS ${schema}.coord_members (
  member text PRIMARY KEY,
  beat_at double precision NOT NULL
);
CREATE UNLOGGED TABLE IF NOT EXISTS ${schema}.coord_breakers (
  name text PRIMARY KEY,
  state text NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
  until_ms double precision NOT NULL DEFAULT 0,
  since_ms double precision NOT NULL DEFAULT 0,
  permits integer NOT NULL DEFAULT 0,
  ok integer NOT NULL DEFAULT 0,
  bad integer NOT NULL DEFAULT 0,
  gen bigint NOT NULL DEFAULT 0
);
CREATE UNLOGGED TABLE IF NOT EXISTS ${schema}.coord_breaker_window (
  name text NOT NULL,
  second bigint NOT NULL,
  calls integer NOT NULL DEFAULT 0,
  failures integer NOT NULL DEFAULT 0,
  PRIMARY KEY (name, second)
);`;
}

/** The server's clock in ms, the one every decision uses (no clock sync between machines). */
export const nowMsSql = `(extract(epoch FROM clock_timestamp()) * 1000)`;
