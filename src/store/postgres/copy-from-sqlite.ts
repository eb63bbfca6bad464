import Database from 'better-sqlite3';
import type pg from 'pg';
import { InvalidConfigError } from '../../errors/index.js';
import { refuseForeignOrNewer, sqliteMigrations } from '../sqlite/migrate.js';
import { migratePostgres, quoteSchema } from './migrate.js';

/**
 * Moving up: copies a Sluice SQLite file into a PostgreSQL schema (created and migrated if
 * needed): runs, items (every column: state, attempts, leases, outputs, checkpoints), retry
 * history, dead letters, run checkpoints, breaker state and health samples. One transaction on
 * the PostgreSQL side, so a copy that fails leaves the target as it was; the SQLite file is only
 * read. Runs already present in the target are refused (naming them), so copying twice cannot
 * duplicate history. Rows keep their order (new seqs are assigned in the file's seq order).
 *
 * Stop the workers on the file first: a lease held in the file is copied as it is and, once it
 * expires, reclaimed by a worker on PostgreSQL like any lease of a worker that died.
 */
export interface CopyResult {
  readonly runs: number;
  readonly items: number;
  readonly retryHistory: number;
  readonly deadLetters: number;
  readonly checkpoints: number;
  readonly breakerStates: number;
  readonly healthSamples: number;
}

interface Table {
  readonly name: keyof CopyResult;
  readonly table: string;
  readonly columns: readonly string[];
  /** Columns stored as JSON text in SQLite, JSONB in PostgreSQL. */
  readonly json?: readonly string[];
  /** Columns stored as 0/1 in SQLite, BOOLEAN in PostgreSQL. */
  readonly bool?: readonly string[];
  readonly order: string;
  /** ON CONFLICT clause for tables not keyed by run. */
  readonly conflict?: string;
}

const tables: readonly Table[] = [
  {
    name: 'runs',
    table: 'runs',
    columns: [
      'id',
      'pipeline',
      'pipeline_version',
      'status',
      'options',
      'summary',
      'created_at',
      'updated_at',
    ],
    json: ['options', 'summary'],
    order: 'created_at, id',
  },
  {
    name: 'items',
    table: 'items',
    columns: [
      'run_id',
      'stage',
      'id',
      'parent_stage',
      'parent_id',
      'state',
      'priority',
      'available_at',
      'attempts',
      'lease_owner',
      'lease_token',
      'lease_expires_at',
      'input',
      'output',
      'checkpoint',
      'last_error',
      'last_category',
      'skip_reason',
      'degraded',
      'trace_context',
      'created_at',
      'updated_at',
      'completed_at',
    ],
    json: ['input', 'output', 'checkpoint'],
    bool: ['degraded'],
    order: 'seq',
  },
  {
    name: 'retryHistory',
    table: 'retry_history',
    columns: ['run_id', 'stage', 'item_id', 'attempt', 'category', 'error', 'delay_ms', 'at'],
    order: 'seq',
  },
  {
    name: 'deadLetters',
    table: 'dead_letters',
    columns: ['run_id', 'stage', 'item_id', 'attempt', 'category', 'error', 'at', 'retried_at'],
    order: 'seq',
  },
  {
    name: 'checkpoints',
    table: 'checkpoints',
    columns: ['run_id', 'name', 'state', 'updated_at'],
    json: ['state'],
    order: 'run_id, name',
  },
  {
    name: 'breakerStates',
    table: 'breaker_state',
    columns: ['service', 'key', 'snapshot', 'updated_at'],
    json: ['snapshot'],
    order: 'service, key',
    // The newer snapshot wins.
    conflict: `ON CONFLICT (service, key) DO UPDATE SET snapshot = excluded.snapshot,
      updated_at = excluded.updated_at WHERE t.updated_at < excluded.updated_at`,
  },
  {
    name: 'healthSamples',
    table: 'service_health_samples',
    columns: [
      'service',
      'bucket_start',
      'calls',
      'failures',
      'slow_calls',
      'rejected',
      'duration_ms',
    ],
    order: 'service, bucket_start',
    conflict: `ON CONFLICT (service, bucket_start) DO UPDATE SET calls = t.calls + excluded.calls,
      failures = t.failures + excluded.failures, slow_calls = t.slow_calls + excluded.slow_calls,
      rejected = t.rejected + excluded.rejected, duration_ms = t.duration_ms + excluded.duration_ms`,
  },
];

/** Rows per INSERT: each row's values are bound as parameters (PostgreSQL allows 65,535). */
const chunkRows = 1_000;

export async function copySqliteToPostgres(options: {
  readonly from: string;
  readonly pool: pg.Pool;
  readonly schema?: string;
}): Promise<CopyResult> {
  const schema = options.schema ?? 'sluice';
  const q = quoteSchema(schema);
  let source: Database.Database;
  try {
    source = new Database(options.from, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new InvalidConfigError('from', 'an existing Sluice SQLite file', options.from, {
      cause: error,
    });
  }
  try {
    // A foreign or newer file is refused by the store's own check (which only reads); an older
    // one must be migrated first: its tables may lack columns this copy reads.
    refuseForeignOrNewer(source);
    const version = source.prepare('SELECT max(version) FROM sluice_migrations').pluck().get() as
      number | null;
    if (version !== sqliteMigrations.length) {
      throw new InvalidConfigError(
        'from',
        `a Sluice SQLite file at schema version ${sqliteMigrations.length} (this one is at ${version ?? 0}: run \`sluice migrate --db ${options.from}\` first)`,
        options.from,
      );
    }
    await migratePostgres(options.pool, schema);
    const client = await options.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const ids = source.prepare('SELECT id FROM runs').pluck().all() as string[];
      const { rows: clashes } = await client.query<{ id: string }>(
        `SELECT id FROM ${q}.runs WHERE id = ANY($1::text[]) ORDER BY id LIMIT 5`,
        [ids],
      );
      if (clashes.length > 0) {
        throw new InvalidConfigError(
          'to',
          `a schema without the runs being copied (already there: ${clashes.map((r) => r.id).join(', ')})`,
          schema,
        );
      }
      const counts: Record<string, number> = {};
      for (const t of tables) counts[t.name] = await copyTable(source, client, q, t);
      await client.query('COMMIT');
      return counts as unknown as CopyResult;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: unknown) => {
        broken = rollback instanceof Error ? rollback : new Error(String(rollback));
      });
      throw error;
    } finally {
      client.release(broken);
    }
  } finally {
    source.close();
  }
}

async function copyTable(
  source: Database.Database,
  client: pg.PoolClient,
  q: string,
  t: Table,
): Promise<number> {
  const select = source.prepare(
    `SELECT ${t.columns.join(', ')} FROM ${t.table} ORDER BY ${t.order}`,
  );
  select.raw(true);
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const width = t.columns.length;
    const tuples = batch.map(
      (_, r) =>
        `(${t.columns
          .map((column, c) => {
            const param = `$${r * width + c + 1}`;
            return t.json?.includes(column) ? `${param}::jsonb` : param;
          })
          .join(', ')})`,
    );
    await client.query(
      `INSERT INTO ${q}.${t.table} AS t (${t.columns.join(', ')}) VALUES ${tuples.join(', ')} ${t.conflict ?? ''}`,
      batch.flat(),
    );
    copied += batch.length;
    batch = [];
  };
  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    if (t.bool) {
      for (const column of t.bool) {
        const i = t.columns.indexOf(column);
        row[i] = row[i] === 1;
      }
    }
    batch.push(row);
    if (batch.length >= chunkRows) await flush();
  }
  await flush();
  return copied;
}
