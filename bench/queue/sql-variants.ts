/**
 * Where the SQLite store's per-job cost goes, measured in CPU microseconds per job (not wall time,
 * so a busy machine blurs it less): the claim and commit statements as src/store/sqlite has them,
 * next to variants proposed for src/ (bench/RESULTS.md, "Queue (issue #4)"). Each variant works
 * off N jobs on a fresh file, claiming 500 at a time, straight on better-sqlite3.
 *   node --import tsx bench/queue/sql-variants.ts [N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Queue, queueRunId } from '../../src/runtime/index.js';
import { normalizeOutcomes } from '../../src/store/input/outcomes.js';
import { createSqliteStore } from '../../src/store/index.js';

const n = Number(process.argv[2] ?? 50_000);
const runId = queueRunId('bench');
const dir = mkdtempSync(join(tmpdir(), 'sluice-sql-variants-'));

interface Row {
  seq: number;
  id: string;
  lease_token: string;
  input: string;
}
type Commit = (rows: Row[]) => void;

async function fresh(name: string): Promise<Database.Database> {
  const path = join(dir, `${name.replace(/\W+/g, '-')}.db`);
  const store = await createSqliteStore({ path });
  const queue = new Queue({ store, name: 'bench' });
  for (let from = 0; from < n; from += 5000) {
    const jobs = Array.from({ length: Math.min(5000, n - from) }, (_, k) => ({
      type: 'noop',
      payload: { i: from + k },
    }));
    await queue.enqueueMany(jobs);
  }
  await store.close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db;
}

/** CPU microseconds `body` takes, per job of the whole run. */
function cpuPerJob(body: () => void): number {
  const start = process.cpuUsage();
  body();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

// The claim as src/store/sqlite/claim.ts has it.
const claimSql = `UPDATE items
  SET state = 'leased', lease_owner = @owner, lease_token = lower(hex(randomblob(16))),
    lease_expires_at = @expiresAt, updated_at = @now
  WHERE seq IN (
    SELECT seq FROM items
    WHERE run_id = @runId AND stage = 'noop' AND state IN ('pending', 'retry_wait')
      AND available_at <= @now
    ORDER BY priority DESC, available_at, seq
    LIMIT 500)
  RETURNING seq, id, attempts, input, checkpoint, priority, available_at, parent_id,
    trace_context, lease_token`;

/** The commit as src/store/sqlite/commit.ts has it: one fenced UPDATE per outcome. */
function perRow(db: Database.Database): Commit {
  const complete = db.prepare(
    `UPDATE items SET state = 'completed', output = @output, degraded = @degraded,
       attempts = attempts + 1, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
       completed_at = @now, updated_at = @now
     WHERE run_id = @runId AND stage = @stage AND id = @id AND state = 'leased'
       AND lease_owner = @owner AND lease_token = @token
     RETURNING priority, trace_context`,
  );
  const tx = db.transaction((rows: Row[]) => {
    const now = Date.now();
    for (const r of rows) {
      complete.get({
        ...{ runId, stage: 'noop', id: r.id, owner: 'me', token: r.lease_token },
        ...{ now, output: 'null', degraded: 0 },
      });
    }
  });
  return (rows) => tx.immediate(rows);
}

/** The same, after the store's input checks (normalizeOutcomes), as SqliteStore.commit runs. */
function perRowChecked(db: Database.Database): Commit {
  const inner = perRow(db);
  return (rows) => {
    normalizeOutcomes(
      rows.map((r) => ({
        kind: 'complete',
        output: null,
        lease: { runId, stage: 'noop', id: r.id, owner: 'me', token: r.lease_token },
      })),
    );
    inner(rows);
  };
}

/** Proposed: all plain completions of a batch in ONE statement, fenced by (seq, token). */
function setBased(db: Database.Database): Commit {
  const complete = db.prepare(
    `UPDATE items SET state = 'completed', output = 'null', attempts = attempts + 1,
       lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
       completed_at = @now, updated_at = @now
     FROM (SELECT value ->> 0 AS seq, value ->> 1 AS token FROM json_each(@batch)) AS done
     WHERE items.seq = done.seq AND items.state = 'leased' AND items.lease_token = done.token`,
  );
  const tx = db.transaction((rows: Row[]) =>
    complete.run({
      now: Date.now(),
      batch: JSON.stringify(rows.map((r) => [r.seq, r.lease_token])),
    }),
  );
  return (rows) => tx.immediate(rows);
}

const dropTrigger = (db: Database.Database): void => {
  db.exec('DROP TRIGGER items_state_machine');
};

async function variant(
  name: string,
  commitOf: (db: Database.Database) => Commit,
  setup: (db: Database.Database) => void = () => undefined,
): Promise<void> {
  const db = await fresh(name);
  setup(db);
  const claim = db.prepare<Record<string, unknown>, Row>(claimSql);
  const claimTx = db.transaction(() => {
    const now = Date.now();
    return claim.all({ owner: 'me', expiresAt: now + 30_000, now, runId });
  });
  const commit = commitOf(db);
  let claimUs = 0;
  let commitUs = 0;
  for (let done = 0; done < n;) {
    let rows: Row[] = [];
    claimUs += cpuPerJob(() => {
      rows = claimTx.immediate();
      for (const row of rows) JSON.parse(row.input);
    });
    if (rows.length === 0) throw new Error(`${name}: nothing left to claim at ${done}`);
    commitUs += cpuPerJob(() => commit(rows));
    done += rows.length;
  }
  const left = db
    .prepare<[], number>(`SELECT count(*) FROM items WHERE state <> 'completed'`)
    .pluck()
    .get();
  if (left !== 0) throw new Error(`${name}: ${left} jobs not completed`);
  db.close();
  const total = claimUs + commitUs;
  process.stdout.write(
    `${name.padEnd(44)} claim ${claimUs.toFixed(1).padStart(5)}  commit ${commitUs.toFixed(1).padStart(5)}` +
      `  total ${total.toFixed(1).padStart(5)} us/job  => ${Math.round(1e6 / total)} jobs/s of CPU\n`,
  );
}

try {
  await variant('as src/ has it (with input checks)', perRowChecked);
  await variant('as src/ has it, SQL only', perRow);
  await variant('no state-machine trigger, SQL only', perRow, dropTrigger);
  await variant('set-based commit by (seq, token)', setBased);
  await variant('set-based commit, no state-machine trigger', setBased, dropTrigger);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
