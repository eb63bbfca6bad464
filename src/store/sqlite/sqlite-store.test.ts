import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { isInvalidConfigError, isSchemaError } from '../../errors/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import { claimSql } from './claim.js';
import { expiredSql } from './leases.js';
import { createSqliteStore } from './sqlite-store.js';

// The store contract runs against every backend from one list: test/store-contract.test.ts.
describeSqlite('sqlite store', (sqlite) => {
  it('plans the claim through the partial index, with no sort', async () => {
    await (await createSqliteStore({ path: sqlite().path })).close(); // creates the schema
    const db = new Database(sqlite().path);
    const plan = (sql: string) =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all({ owner: 'w', expiresAt: 1, now: 1, runId: 'r', stage: 's', limit: 1 })
        .map((row) => (row as { detail: string }).detail)
        .join('\n');
    const claim = plan(claimSql);
    expect(claim).toMatch(/USING INDEX items_claim \(run_id=\? AND stage=\?\)/);
    expect(claim).not.toMatch(/TEMP B-TREE/);
    const expired = plan(expiredSql);
    expect(expired).toMatch(/USING INDEX items_lease_expiry/);
    expect(expired).not.toMatch(/TEMP B-TREE/);
    db.close();
  });

  it('stops growing under a steady load once retention applies', async () => {
    const path = `${sqlite().dir}/retention.db`;
    const store = await createSqliteStore({ path, checkpoint: 'inline' });
    const pages: number[] = [];
    for (let round = 0; round < 6; round++) {
      const at = 1_000 * (round + 1);
      const runId = `steady-${round}`;
      await store.createRun({ id: runId, pipeline: 'p', pipelineVersion: '1' }, at);
      await store.seedItems(
        runId,
        's',
        Array.from({ length: 2_000 }, (_, i) => ({ id: `i${i}`, input: { pad: 'x'.repeat(200) } })),
        at,
      );
      const leases = await store.claim({
        runId,
        stage: 's',
        owner: 'w',
        limit: 2_000,
        leaseMs: 10,
        now: at,
      });
      await store.commit(
        leases.map((lease) => ({
          kind: 'complete' as const,
          lease,
          output: { ok: 'y'.repeat(200) },
        })),
        at,
      );
      await store.setRunStatus(runId, 'completed', at);
      // Keep the last run only: the one before goes.
      await store.prune({ olderThanMs: 500 }, at + 400);
      const db = new Database(path, { readonly: true });
      pages.push(db.pragma('page_count', { simple: true }) as number);
      db.close();
    }
    await store.close();
    // The first rounds grow the file to its working size; after that the free pages are reused.
    expect(pages[5]).toBeLessThanOrEqual(pages[2]!);
    expect(pages[2]).toBeGreaterThan(50);
  });

  it('keeps everything across close and reopen', async () => {
    const path = `${sqlite().dir}/reopen.db`;
    const first = await createSqliteStore({ path, durability: 'full' });
    await first.createRun({ id: 'r', pipeline: 'p', pipelineVersion: '1' }, 1);
    await first.seedItems('r', 'fetch', [{ id: 'a', input: { x: 1 } }], 1);
    const [lease] = await first.claim({
      runId: 'r',
      stage: 'fetch',
      owner: 'w',
      limit: 1,
      leaseMs: 10,
      now: 2,
    });
    await first.close();
    const second = await createSqliteStore({ path, busyTimeoutMs: 100 });
    expect(second.backend).toBe('sqlite');
    expect(await second.getItem({ runId: 'r', stage: 'fetch', id: 'a' })).toMatchObject({
      state: 'leased',
      leaseOwner: 'w',
    });
    // The lease survives the restart, and so does its fence.
    expect(await second.commit([{ kind: 'complete', lease: lease!, output: 1 }], 3)).toEqual({
      applied: 1,
      fenced: [],
    });
    await second.close();
  });

  it('names the field of a bad option and refuses a foreign file', async () => {
    const field = async (options: unknown) => {
      const error: unknown = await createSqliteStore(options as never).catch((e: unknown) => e);
      return isInvalidConfigError(error) ? error.field : String(error);
    };
    expect(await field({ path: '' })).toBe('sqlite.path');
    expect(await field(undefined)).toBe('sqlite.path');
    expect(await field({ path: sqlite().path, durability: 'paranoid' })).toBe('sqlite.durability');
    expect(await field({ path: sqlite().path, busyTimeoutMs: -1 })).toBe('sqlite.busyTimeoutMs');
    expect(await field({ path: sqlite().path, checkpoint: 'never' })).toBe('sqlite.checkpoint');
    expect(await field({ path: sqlite().path, checkpointIntervalMs: 0 })).toBe(
      'sqlite.checkpointIntervalMs',
    );
    const foreign = `${sqlite().dir}/foreign.db`;
    const raw = new Database(foreign);
    raw.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    raw.close();
    const error: unknown = await createSqliteStore({ path: foreign }).catch((e: unknown) => e);
    expect(isSchemaError(error) && error.code).toBe('SLUICE_SCHEMA_FOREIGN');
  });
});
