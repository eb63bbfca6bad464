import pg from 'pg';
import { InvalidConfigError } from '../../errors/index.js';
import {
  admitStep,
  forceStep,
  probeStep,
  viewOf,
  windowStep,
  type BreakerRow,
  type Step,
} from '../breaker-machine.js';
import type {
  SharedBreakerAdmission,
  SharedBreakerChange,
  SharedBreakerReport,
  SharedBreakerRule,
  SharedBreakerState,
  SharedBreakerView,
  SharedLimitRule,
  SharedStateBackend,
} from '../shared-backend.js';
import { coordinationDdl, nowMsSql } from './schema.js';

export interface PostgresCoordinationOptions {
  /** A pool (e.g. the store's, or createPostgresPool from `sluice/postgres`). */
  readonly pool: pg.Pool;
  /** Where the coordination tables live. Default `sluice_coord`. */
  readonly schema?: string;
  /** The NOTIFY channel of breaker transitions. Default `sluice_coord_breakers`. */
  readonly channel?: string;
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

interface RowRecord {
  state: SharedBreakerState;
  until_ms: number;
  since_ms: number;
  permits: number;
  ok: number;
  bad: number;
  gen: string;
  now: number;
}

/**
 * Breakers and rate limits shared through PostgreSQL, for fleets without Redis. A limit's
 * admission is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE` (GCRA: the row is updated only
 * if the cost fits, on the server's clock); a breaker's step is a short transaction holding its
 * row lock, running the state machine of breaker-machine.ts; transitions go out by NOTIFY on
 * commit and come in on one LISTEN connection. Slower than Redis (a few round trips per breaker
 * report), but closed breakers report in batches and open ones decide locally, so the database
 * sees failures and probes, not every call.
 */
export class PostgresCoordination implements SharedStateBackend {
  readonly kind = 'postgres';
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #channel: string;
  #installed: Promise<void> | undefined;
  #listener: Promise<pg.Client> | undefined;
  readonly #listeners = new Set<(change: SharedBreakerChange) => void>();

  constructor(options: PostgresCoordinationOptions) {
    if (typeof options?.pool?.query !== 'function') {
      throw new InvalidConfigError('coordination.pool', 'a pg Pool', options?.pool);
    }
    const schema = options.schema ?? 'sluice_coord';
    if (typeof schema !== 'string' || !identifier.test(schema)) {
      throw new InvalidConfigError(
        'coordination.schema',
        'a lower-case SQL identifier (letters, digits, _; at most 63)',
        schema,
      );
    }
    const channel = options.channel ?? 'sluice_coord_breakers';
    if (typeof channel !== 'string' || !identifier.test(channel)) {
      throw new InvalidConfigError('coordination.channel', 'a lower-case SQL identifier', channel);
    }
    this.#pool = options.pool;
    this.#schema = `"${schema}"`;
    this.#channel = channel;
  }

  /** Creates the tables if missing (idempotent; serialized by an advisory lock). */
  install(): Promise<void> {
    this.#installed ??= (async () => {
      const client = await this.#pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('sluice_coordination_install'))`);
        await client.query(coordinationDdl(this.#schema));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        this.#installed = undefined;
        throw error;
      } finally {
        client.release();
      }
    })();
    return this.#installed;
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  async take(key: string, cost: number, rule: SharedLimitRule): Promise<number> {
    await this.install();
    const emission = 1000 / rule.ratePerSecond;
    const tolerance = emission * rule.burst;
    const s = this.#schema;
    const admitted = await this.#pool.query(
      `INSERT INTO ${s}.coord_limits AS l (key, tat)
       VALUES ($1::text, ${nowMsSql} + $2::float8 * $3::float8)
       ON CONFLICT (key) DO UPDATE SET tat = greatest(l.tat, ${nowMsSql}) + $2::float8 * $3::float8
       WHERE greatest(l.tat, ${nowMsSql}) + $2::float8 * $3::float8 - $4::float8 <= ${nowMsSql}
       RETURNING tat`,
      [key, emission, cost, tolerance],
    );
    if (admitted.rowCount === 1) return 0;
    const wait = await this.#pool.query<{ wait: number }>(
      `SELECT greatest(tat, ${nowMsSql}) + $2::float8 * $3::float8 - $4::float8 - ${nowMsSql}
         AS wait
       FROM ${s}.coord_limits WHERE key = $1::text`,
      [key, emission, cost, tolerance],
    );
    return Math.max(1, Math.ceil(Number(wait.rows[0]?.wait ?? 1)));
  }

  async heartbeat(member: string, withinMs: number): Promise<number> {
    await this.install();
    const s = this.#schema;
    const result = await this.#pool.query<{ live: string }>(
      `WITH beat AS (
         INSERT INTO ${s}.coord_members (member, beat_at) VALUES ($1, ${nowMsSql})
         ON CONFLICT (member) DO UPDATE SET beat_at = excluded.beat_at
       ), gone AS (
         DELETE FROM ${s}.coord_members WHERE beat_at < ${nowMsSql} - $2::float8 AND member <> $1
       )
       SELECT 1 + count(*) AS live FROM ${s}.coord_members
       WHERE beat_at >= ${nowMsSql} - $2::float8 AND member <> $1`,
      [member, withinMs],
    );
    return Number(result.rows[0]!.live);
  }

  admit(breaker: string, rule: SharedBreakerRule): Promise<SharedBreakerAdmission> {
    return this.#step(breaker, (row, now) => Promise.resolve(admitStep(row, now, rule)));
  }

  record(
    breaker: string,
    rule: SharedBreakerRule,
    report: SharedBreakerReport,
  ): Promise<SharedBreakerView> {
    return this.#step(breaker, async (row, now, client) => {
      if (report.probe) return probeStep(row, now, rule, report.probe);
      if (row.state !== 'closed' || report.calls <= 0) return { reply: viewOf(row, now) };
      const second = Math.floor(now / 1000);
      const s = this.#schema;
      const totals = await client.query<{ calls: string; failures: string }>(
        `WITH up AS (
           INSERT INTO ${s}.coord_breaker_window AS w (name, second, calls, failures)
           VALUES ($1::text, $2::bigint, $3::int, $4::int)
           ON CONFLICT (name, second)
           DO UPDATE SET calls = w.calls + $3::int, failures = w.failures + $4::int
           RETURNING calls, failures
         ), old AS (
           DELETE FROM ${s}.coord_breaker_window WHERE name = $1 AND second <= $2::bigint - $5::int
         )
         SELECT (SELECT calls FROM up) + coalesce(sum(calls), 0) AS calls,
                (SELECT failures FROM up) + coalesce(sum(failures), 0) AS failures
         FROM ${s}.coord_breaker_window
         WHERE name = $1 AND second > $2::bigint - $5::int AND second < $2::bigint`,
        [breaker, second, report.calls, report.failures, rule.windowSeconds],
      );
      if (report.failures === 0) return { reply: viewOf(row, now) };
      const step = windowStep(row, now, rule, {
        calls: Number(totals.rows[0]!.calls),
        failures: Number(totals.rows[0]!.failures),
      });
      if (step.publish) {
        await client.query(`DELETE FROM ${s}.coord_breaker_window WHERE name = $1`, [breaker]);
      }
      return step;
    });
  }

  read(breaker: string): Promise<SharedBreakerView> {
    return this.#step(breaker, (row, now) => Promise.resolve({ reply: viewOf(row, now) }));
  }

  force(breaker: string, state: 'closed' | 'open', openMs: number): Promise<SharedBreakerView> {
    return this.#step(breaker, (row, now) => Promise.resolve(forceStep(row, now, state, openMs)));
  }

  /** One transaction holding the breaker's row lock: read, decide, write, notify. */
  async #step<R>(
    breaker: string,
    decide: (row: BreakerRow, now: number, client: pg.PoolClient) => Promise<Step<R>>,
  ): Promise<R> {
    await this.install();
    const s = this.#schema;
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      // The upsert creates a missing breaker closed and, either way, locks its row.
      const { rows } = await client.query<RowRecord>(
        `INSERT INTO ${s}.coord_breakers AS b (name) VALUES ($1)
         ON CONFLICT (name) DO UPDATE SET name = b.name
         RETURNING state, until_ms, since_ms, permits, ok, bad, gen, ${nowMsSql} AS now`,
        [breaker],
      );
      const record = rows[0]!;
      const row: BreakerRow = {
        state: record.state,
        untilMs: Number(record.until_ms),
        sinceMs: Number(record.since_ms),
        permits: record.permits,
        ok: record.ok,
        bad: record.bad,
        gen: Number(record.gen),
      };
      const step = await decide(row, Number(record.now), client);
      if (step.row) {
        const r = step.row;
        await client.query(
          `UPDATE ${s}.coord_breakers SET state = $2, until_ms = $3, since_ms = $4, permits = $5,
             ok = $6, bad = $7, gen = $8 WHERE name = $1`,
          [breaker, r.state, r.untilMs, r.sinceMs, r.permits, r.ok, r.bad, r.gen],
        );
      }
      if (step.publish) {
        const p = step.publish;
        await client.query(`SELECT pg_notify($1, $2)`, [
          this.#channel,
          `${p.state}|${p.remainingMs}|${p.generation}|${breaker}`,
        ]);
      }
      await client.query('COMMIT');
      return step.reply;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async subscribe(listener: (change: SharedBreakerChange) => void): Promise<() => Promise<void>> {
    this.#listeners.add(listener);
    this.#listener ??= this.#listen();
    await this.#listener;
    return async () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) await this.#unlisten();
    };
  }

  async #listen(): Promise<pg.Client> {
    // LISTEN needs a connection of its own for as long as it listens: not a pooled one.
    const options = this.#pool.options;
    const client = new pg.Client({
      ...(options.connectionString ? { connectionString: options.connectionString } : {}),
      ...(options.host ? { host: options.host, port: options.port, user: options.user } : {}),
      ...(options.database ? { database: options.database } : {}),
    });
    client.on('error', () => {}); // a dead listener only delays pushes; calls report failures
    client.on('notification', (message) => {
      if (message.channel === this.#channel && message.payload) this.#dispatch(message.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${this.#channel}`);
    return client;
  }

  async #unlisten(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    const client = await listener?.catch(() => undefined);
    await client?.end().catch(() => {});
  }

  #dispatch(message: string): void {
    const [state, remaining, generation, ...rest] = message.split('|');
    if (state !== 'closed' && state !== 'open' && state !== 'half_open') return;
    const change: SharedBreakerChange = {
      state,
      remainingMs: Number(remaining),
      generation: Number(generation),
      breaker: rest.join('|'),
    };
    for (const listener of this.#listeners) listener(change);
  }

  /** Stops listening (the pool belongs to the caller). */
  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#unlisten();
  }
}
