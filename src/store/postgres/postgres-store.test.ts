import pg from 'pg';
import { expect, it } from 'vitest';
import { isInvalidConfigError } from '../../errors/index.js';
import { describePostgres } from '../../testing/vitest/index.js';
import { claimSql } from './claim.js';
import { expiredSql } from './leases.js';
import { createPostgresStore, maskUrl } from './postgres-store.js';

// The store contract runs against every backend from one list: test/store-contract.test.ts.
describePostgres('postgres store', (postgres) => {
  const open = (extra: Record<string, unknown> = {}) =>
    createPostgresStore({ url: postgres().url, schema: postgres().schema, poolSize: 2, ...extra });

  const failure = async (options: unknown) => {
    const error: unknown = await createPostgresStore(options as never).catch((e: unknown) => e);
    if (!isInvalidConfigError(error))
      throw new Error(`expected InvalidConfigError, got ${String(error)}`);
    return error;
  };

  it('plans the claim and the reclaim sweep through their partial indexes', async () => {
    const store = await open();
    await store.close();
    const client = await postgres().pool.connect();
    try {
      await client.query('BEGIN');
      // The test tables are tiny: forbid the sequential scan the planner would rightly prefer.
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = async (sql: string, values: unknown[]) =>
        (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, values)).rows
          .map((row) => row['QUERY PLAN'])
          .join('\n');
      const q = `"${postgres().schema}"`;
      const claim = await plan(claimSql(q), ['r', 's', 1, 10, 'w', 'n.', 2]);
      expect(claim).toMatch(/items_claim/);
      expect(claim).toMatch(/LockRows/);
      const expired = await plan(expiredSql(q), [1, 10, null]);
      expect(expired).toMatch(/items_lease_expiry/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('sets application_name and statement_timeout on its connections', async () => {
    const store = await open({ applicationName: 'sluice-test-app', statementTimeoutMs: 200 });
    const admin = new pg.Client({ connectionString: postgres().url });
    await admin.connect();
    try {
      await store.createRun({ id: 'timeout-run', pipeline: 'p', pipelineVersion: '1' }, 1);
      const { rows } = await admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'sluice-test-app'`,
      );
      expect(Number(rows[0]!.n)).toBeGreaterThan(0);
      // Hold the run's row lock from another session: the store's update waits for it until
      // its statement_timeout cancels the statement.
      await admin.query('BEGIN');
      await admin.query(
        `SELECT * FROM "${postgres().schema}".runs WHERE id = 'timeout-run' FOR UPDATE`,
      );
      const error: unknown = await store
        .setRunStatus('timeout-run', 'completed', 2)
        .catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('57014'); // query_canceled
      await admin.query('ROLLBACK');
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('works on a pool of the caller, which close() leaves open', async () => {
    const pool = new pg.Pool({ connectionString: postgres().url, max: 2 });
    try {
      const store = await createPostgresStore({ pool, schema: postgres().schema });
      expect(store.backend).toBe('postgres');
      await store.createRun({ id: 'own-pool', pipeline: 'p', pipelineVersion: '1' }, 5);
      await store.seedItems('own-pool', 'fetch', [{ id: 'a', input: null }], 5);
      // Numbers and JSON read the same as on the store's own pool (its parsers go per query).
      expect(await store.getItem({ runId: 'own-pool', stage: 'fetch', id: 'a' })).toMatchObject({
        input: null,
        output: undefined,
        availableAt: 5,
      });
      await store.close();
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('names the field of every bad option', async () => {
    const url = postgres().url;
    expect((await failure(undefined)).field).toBe('postgres');
    expect((await failure({})).field).toBe('postgres.url');
    expect((await failure({ url: 'mysql://x' })).field).toBe('postgres.url');
    expect((await failure({ url, poolSize: 0 })).field).toBe('postgres.poolSize');
    expect((await failure({ url, statementTimeoutMs: -1 })).field).toBe(
      'postgres.statementTimeoutMs',
    );
    expect((await failure({ url, applicationName: 'é'.repeat(70) })).field).toBe(
      'postgres.applicationName',
    );
    expect((await failure({ url, notify: 'yes' })).field).toBe('postgres.notify');
    expect((await failure({ pool: {} })).field).toBe('postgres.pool');
    expect((await failure({ pool: postgres().pool, poolSize: 3 })).field).toBe('postgres.poolSize');
  });

  it('refuses a schema name with quotes, dots or capitals, and a pg_ one, creating nothing', async () => {
    const url = postgres().url;
    for (const schema of ['a"b', 'public.items', 'Sluice', 'x; DROP TABLE runs', '', 'pg_sluice']) {
      const error = await failure({ url, schema });
      expect(error.field).toBe('postgres.schema');
    }
    const { rows } = await postgres().pool.query(
      `SELECT nspname FROM pg_namespace WHERE nspname IN ('a"b', 'public.items', 'Sluice')`,
    );
    expect(rows).toEqual([]);
  });

  it('quotes a schema that is a reserved word', async () => {
    const store = await createPostgresStore({ url: postgres().url, schema: 'order' });
    try {
      await store.createRun({ id: 'r', pipeline: 'p', pipelineVersion: '1' }, 1);
      expect((await store.getRun('r'))?.pipeline).toBe('p');
    } finally {
      await store.close();
      await postgres().pool.query('DROP SCHEMA "order" CASCADE');
    }
  });

  it('fails at start on an unreachable server or bad credentials, with the URL masked', async () => {
    const unreachable = await failure({ url: 'postgres://sluice:s3cret@127.0.0.1:1/test' });
    expect(unreachable.field).toBe('postgres.url');
    expect(unreachable.message).toContain('postgres://sluice:***@127.0.0.1:1/test');
    expect(unreachable.message).not.toContain('s3cret');
    expect(unreachable.message).toMatch(/ECONNREFUSED/);
    expect(unreachable.cause).toBeDefined();

    const target = new URL(postgres().url);
    target.username = 'no_such_sluice_user';
    target.password = 'hunter2';
    const denied = await failure({ url: target.toString() });
    expect(denied.message).toMatch(/no_such_sluice_user/);
    expect(denied.message).not.toContain('hunter2');
  });

  it('masks passwords in URLs', () => {
    expect(maskUrl('postgres://u:p%40ss@h:5432/d')).toBe('postgres://u:***@h:5432/d');
    expect(maskUrl('postgres://u@h/d')).toBe('postgres://u@h/d');
    expect(maskUrl('postgres://h/d')).toBe('postgres://h/d');
  });
});
