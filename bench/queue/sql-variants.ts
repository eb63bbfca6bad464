/**
 * Where the SQLite store's per-job cost goes, measured in CPU microseconds per job (not wall time,
 * so a busy machine blurs it less): claim and commit statements, straight on better-sqlite3,
 * the way src/store/sqlite had them before (`before:`) and has them now (`now:`, SqliteStore's
 * hot path for its own leases), next to the variants measured on the way. Each variant works off N jobs on a fresh file, claiming 500 at a time; the variants run in
 * lockstep (a batch of each in turn), ROUNDS times, and the median of each is printed. The filter
 * keeps the variants whose name contains one of its `|`-separated parts.
 *   node --import tsx bench/queue/sql-variants.ts [N] [ROUNDS] [FILTER]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Queue, queueRunId } from '../../src/runtime/index.js';
import { createSqliteStore } from '../../src/store/index.js';

const n = Number(process.argv[2] ?? 50_000);
const rounds = Number(process.argv[3] ?? 3);
const only = process.argv[4];
const runId = queueRunId('bench');
const stage = 'noop';
const owner = 'host:1234:abcdef';
const dir = mkdtempSync(join(tmpdir(), 'sluice-sql-variants-'));

interface Row {
  seq: number;
  id: string;
  token: string;
}
type Claim = (now: number) => Row[];
type Commit = (rows: Row[], now: number) => void;

let template: string | undefined;

/** A file with n pending jobs, built once through the store and copied for each variant. */
async function fresh(name: string): Promise<Database.Database> {
  if (template === undefined) {
    template = join(dir, 'template.db');
    const store = await createSqliteStore({ path: template });
    const queue = new Queue({ store, name: 'bench' });
    for (let from = 0; from < n; from += 5000) {
      const jobs = Array.from({ length: Math.min(5000, n - from) }, (_, k) => ({
        type: stage,
        payload: { i: from + k },
      }));
      await queue.enqueueMany(jobs);
    }
    await store.close();
  }
  const path = join(dir, `${name.replace(/\W+/g, '-')}.db`);
  const source = new Database(template);
  await source.backup(path);
  source.close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db;
}

// ── claims ───────────────────────────────────────────────────────────────────────────────────

const claimWhere = `WHERE seq IN (
    SELECT seq FROM items
    WHERE run_id = @runId AND stage = '${stage}' AND state IN ('pending', 'retry_wait')
      AND available_at <= @now
    ORDER BY priority DESC, available_at, seq
    LIMIT 500)`;
const allColumns = `seq, id, attempts, input, checkpoint, priority, available_at, parent_id,
    trace_context, lease_token`;

interface FullRow {
  seq: number;
  id: string;
  attempts: number;
  input: string;
  checkpoint: string | null;
  priority: number;
  available_at: number;
  parent_id: string | null;
  trace_context: string | null;
  lease_token: string;
}

/** The claim as src/store/sqlite/claim.ts had it: object rows, sorted, mapped, input parsed. */
function claimObjects(db: Database.Database): Claim {
  const claim = db.prepare<Record<string, unknown>, FullRow>(
    `UPDATE items SET state = 'leased', lease_owner = @owner,
       lease_token = lower(hex(randomblob(16))), lease_expires_at = @expiresAt, updated_at = @now
     ${claimWhere} RETURNING ${allColumns}`,
  );
  const tx = db.transaction((now: number) =>
    claim.all({ owner, expiresAt: now + 30_000, now, runId }),
  );
  return (now) => {
    const rows = tx.immediate(now);
    rows.sort(
      (a, b) => b.priority - a.priority || a.available_at - b.available_at || a.seq - b.seq,
    );
    return rows.map((row) => ({
      runId,
      stage,
      id: row.id,
      owner,
      token: row.lease_token,
      seq: row.seq,
      attempt: row.attempts + 1,
      leaseExpiresAt: now + 30_000,
      input: JSON.parse(row.input) as unknown,
      checkpoint: row.checkpoint === null ? undefined : (JSON.parse(row.checkpoint) as unknown),
      priority: row.priority,
      availableAt: row.available_at,
      parentId: row.parent_id,
      traceContext: row.trace_context,
    }));
  };
}

type RawRow = [
  number,
  string,
  number,
  string,
  string | null,
  number,
  number,
  string | null,
  string | null,
  string,
];

/** The same statement in raw (array) mode; random tokens from SQL or one nonce per claim. */
function claimRaw(db: Database.Database, nonce: boolean): Claim {
  const token = nonce ? `@nonce || seq` : 'lower(hex(randomblob(16)))';
  const claim = db
    .prepare<Record<string, unknown>, RawRow>(
      `UPDATE items SET state = 'leased', lease_owner = @owner, lease_token = ${token},
         lease_expires_at = @expiresAt, updated_at = @now
       ${claimWhere} RETURNING ${allColumns}`,
    )
    .raw();
  const tx = db.transaction((now: number) =>
    claim.all({
      owner,
      expiresAt: now + 30_000,
      now,
      runId,
      ...(nonce ? { nonce: `${randomBytes(12).toString('base64url')}.` } : {}),
    }),
  );
  return (now) => {
    const rows = tx.immediate(now);
    rows.sort((a, b) => b[5] - a[5] || a[6] - b[6] || a[0] - b[0]);
    const out = new Array<Row>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      out[i] = {
        runId,
        stage,
        id: row[1],
        owner,
        token: row[9],
        seq: row[0],
        attempt: row[2] + 1,
        leaseExpiresAt: now + 30_000,
        input: JSON.parse(row[3]) as unknown,
        checkpoint: row[4] === null ? undefined : (JSON.parse(row[4]) as unknown),
        priority: row[5],
        availableAt: row[6],
        parentId: row[7],
        traceContext: row[8],
      } as Row;
    }
    return out;
  };
}

/** Two statements: SELECT the batch in claim order through the index, then UPDATE those seqs. */
function claimSelectUpdate(db: Database.Database): Claim {
  const pick = db
    .prepare<Record<string, unknown>, RawRow>(
      `SELECT seq, id, attempts, input, checkpoint, priority, available_at, parent_id,
         trace_context FROM items
       WHERE run_id = @runId AND stage = '${stage}' AND state IN ('pending', 'retry_wait')
         AND available_at <= @now
       ORDER BY priority DESC, available_at, seq LIMIT 500`,
    )
    .raw();
  const lease = db.prepare(
    `UPDATE items SET state = 'leased', lease_owner = @owner, lease_token = @nonce || seq,
       lease_expires_at = @expiresAt, updated_at = @now
     WHERE seq IN (SELECT value FROM json_each(@seqs))`,
  );
  const tx = db.transaction((now: number, nonce: string) => {
    const rows = pick.all({ runId, now });
    lease.run({
      owner,
      nonce,
      expiresAt: now + 30_000,
      now,
      seqs: JSON.stringify(rows.map((row) => row[0])),
    });
    return rows;
  });
  return (now) => {
    const nonce = `${randomBytes(12).toString('base64url')}.`;
    const rows = tx.immediate(now, nonce);
    const out = new Array<Row>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      out[i] = {
        runId,
        stage,
        id: row[1],
        owner,
        token: `${nonce}${row[0]}`,
        seq: row[0],
        attempt: row[2] + 1,
        leaseExpiresAt: now + 30_000,
        input: JSON.parse(row[3]) as unknown,
        checkpoint: row[4] === null ? undefined : (JSON.parse(row[4]) as unknown),
        priority: row[5],
        availableAt: row[6],
        parentId: row[7],
        traceContext: row[8],
      } as Row;
    }
    return out;
  };
}

// ── commits ──────────────────────────────────────────────────────────────────────────────────

const completeSet = `state = 'completed', output = ?, degraded = ?, attempts = attempts + 1,
  lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, completed_at = ?, updated_at = ?`;

/** As src/store/sqlite/commit.ts had it: one fenced UPDATE per outcome, by (run, stage, id). */
function perRowById(db: Database.Database): Commit {
  const complete = db.prepare(
    `UPDATE items SET ${completeSet}
     WHERE run_id = ? AND stage = ? AND id = ? AND state = 'leased' AND lease_owner = ?
       AND lease_token = ?`,
  );
  const tx = db.transaction((rows: Row[], now: number) => {
    for (const r of rows) {
      if (complete.run('null', 0, now, now, runId, stage, r.id, owner, r.token).changes !== 1) {
        throw new Error('fenced');
      }
    }
  });
  return (rows, now) => tx.immediate(rows, now);
}

/** The same, by seq (the rowid) instead of the (run, stage, id) text index. */
function perRowBySeq(db: Database.Database): Commit {
  const complete = db.prepare(
    `UPDATE items SET ${completeSet}
     WHERE seq = ? AND state = 'leased' AND lease_owner = ? AND lease_token = ?`,
  );
  const tx = db.transaction((rows: Row[], now: number) => {
    for (const r of rows) {
      if (complete.run('null', 0, now, now, r.seq, owner, r.token).changes !== 1) {
        throw new Error('fenced');
      }
    }
  });
  return (rows, now) => tx.immediate(rows, now);
}

const setFromBatch = `state = 'completed', output = b.output, degraded = b.degraded,
  attempts = attempts + 1, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
  completed_at = @now, updated_at = @now`;

/** One UPDATE per flush: the batch as JSON [[seq, owner, token, output, degraded], ...]. */
function setJson(db: Database.Database, returning: boolean, withOwner = true): Commit {
  const complete = db.prepare<Record<string, unknown>, { seq: number }>(
    `UPDATE items SET ${setFromBatch}
     FROM (SELECT value ->> 0 AS seq, value ->> 1 AS owner, value ->> 2 AS token,
             value ->> 3 AS output, value ->> 4 AS degraded FROM json_each(@batch)) AS b
     WHERE items.seq = b.seq AND items.state = 'leased'
       ${withOwner ? 'AND items.lease_owner = b.owner' : ''} AND items.lease_token = b.token
     ${returning ? 'RETURNING items.seq' : ''}`,
  );
  const tx = db.transaction((rows: Row[], now: number) => {
    const batch = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      batch[i] = [r.seq, owner, r.token, 'null', 0];
    }
    const params = { now, batch: JSON.stringify(batch) };
    const done = returning ? complete.all(params).length : complete.run(params).changes;
    if (done !== rows.length) throw new Error('fenced');
  });
  return (rows, now) => tx.immediate(rows, now);
}

/** [[seq, token, output, degraded], ...] with the owner shared by the batch, no RETURNING. */
function setJsonOwner(db: Database.Database): Commit {
  const complete = db.prepare<Record<string, unknown>, { seq: number }>(
    `UPDATE items SET ${setFromBatch}
     FROM (SELECT value ->> 0 AS seq, value ->> 1 AS token, value ->> 2 AS output,
             value ->> 3 AS degraded FROM json_each(@batch)) AS b
     WHERE items.seq = b.seq AND items.state = 'leased' AND items.lease_owner = @owner
       AND items.lease_token = b.token`,
  );
  const tx = db.transaction((rows: Row[], now: number) => {
    const batch = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      batch[i] = [r.seq, r.token, 'null', 0];
    }
    const params = { now, owner, batch: JSON.stringify(batch) };
    if (complete.run(params).changes !== rows.length) throw new Error('fenced');
  });
  return (rows, now) => tx.immediate(rows, now);
}

/** Tokens derived from one nonce per claim (nonce || seq): the batch is a list of seqs. */
function setSeqsNonce(db: Database.Database): Commit {
  const complete = db.prepare<Record<string, unknown>, { seq: number }>(
    `UPDATE items SET state = 'completed', output = @output, degraded = @degraded,
       attempts = attempts + 1, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
       completed_at = @now, updated_at = @now
     WHERE seq IN (SELECT value FROM json_each(@batch)) AND state = 'leased'
       AND lease_owner = @owner AND lease_token = @nonce || seq`,
  );
  const tx = db.transaction((rows: Row[], now: number) => {
    const nonce = rows[0]!.token.slice(0, rows[0]!.token.lastIndexOf('.') + 1);
    const seqs = rows.map((r) => r.seq);
    const params = { now, owner, nonce, output: 'null', degraded: 0, batch: JSON.stringify(seqs) };
    if (complete.run(params).changes !== rows.length) throw new Error('fenced');
  });
  return (rows, now) => tx.immediate(rows, now);
}

/** The batch keyed by (run, stage, id) instead of seq: needs no internal handle. */
function setJsonById(db: Database.Database): Commit {
  const complete = db.prepare<Record<string, unknown>, { seq: number }>(
    `UPDATE items SET ${setFromBatch}
     FROM (SELECT value ->> 0 AS run_id, value ->> 1 AS stage, value ->> 2 AS id,
             value ->> 3 AS owner, value ->> 4 AS token, value ->> 5 AS output,
             value ->> 6 AS degraded FROM json_each(@batch)) AS b
     WHERE items.run_id = b.run_id AND items.stage = b.stage AND items.id = b.id
       AND items.state = 'leased' AND items.lease_owner = b.owner AND items.lease_token = b.token
     RETURNING items.seq`,
  );
  const tx = db.transaction((rows: Row[], now: number) => {
    const batch = rows.map((r) => [runId, stage, r.id, owner, r.token, 'null', 0]);
    if (complete.all({ now, batch: JSON.stringify(batch) }).length !== rows.length) {
      throw new Error('fenced');
    }
  });
  return (rows, now) => tx.immediate(rows, now);
}

/** One UPDATE per flush from a VALUES list of positional parameters (statement per size). */
function setValues(db: Database.Database): Commit {
  const bySize = new Map<number, Database.Statement<unknown[], { seq: number }>>();
  const statement = (size: number) => {
    let s = bySize.get(size);
    if (s === undefined) {
      const values = Array.from({ length: size }, () => '(?, ?, ?, ?, ?)').join(', ');
      s = db.prepare(
        `WITH b(seq, owner, token, output, degraded) AS (VALUES ${values})
         UPDATE items SET ${setFromBatch}
         FROM b WHERE items.seq = b.seq AND items.state = 'leased'
           AND items.lease_owner = b.owner AND items.lease_token = b.token
         RETURNING items.seq`,
      );
      bySize.set(size, s);
    }
    return s;
  };
  const tx = db.transaction((rows: Row[], now: number) => {
    const params: unknown[] = [];
    for (const r of rows) params.push(r.seq, owner, r.token, 'null', 0);
    if (statement(rows.length).all(...params, { now }).length !== rows.length) {
      throw new Error('fenced');
    }
  });
  return (rows, now) => tx.immediate(rows, now);
}

/** Rows into a temp table, one INSERT each, then one UPDATE ... FROM it. */
function setTemp(db: Database.Database): Commit {
  db.exec(`CREATE TEMP TABLE b (seq INTEGER PRIMARY KEY, owner TEXT, token TEXT, output TEXT,
    degraded INTEGER)`);
  const insert = db.prepare('INSERT INTO temp.b VALUES (?, ?, ?, ?, ?)');
  const complete = db.prepare<[number, number], { seq: number }>(
    `UPDATE items SET ${setFromBatch.replaceAll('@now', '?')}
     FROM temp.b AS b WHERE items.seq = b.seq AND items.state = 'leased'
       AND items.lease_owner = b.owner AND items.lease_token = b.token
     RETURNING items.seq`,
  );
  const clear = db.prepare('DELETE FROM temp.b');
  const tx = db.transaction((rows: Row[], now: number) => {
    for (const r of rows) insert.run(r.seq, owner, r.token, 'null', 0);
    if (complete.all(now, now).length !== rows.length) throw new Error('fenced');
    clear.run();
  });
  return (rows, now) => tx.immediate(rows, now);
}

/**
 * The store thread's idea: the commit of one batch joins the next claim's transaction (one
 * BEGIN IMMEDIATE ... COMMIT, one WAL append, for both). commit only stashes the rows; the
 * claim applies them first; finish applies the last.
 */
const stashed = new WeakMap<Database.Database, Row[]>();
function claimWithStashedCommit(db: Database.Database): Claim {
  const claim = claimSelectUpdate(db);
  const complete = setSeqsNonce(db);
  const tx = db.transaction((now: number) => {
    const rows = stashed.get(db);
    if (rows !== undefined) complete(rows, now);
    stashed.delete(db);
    return claim(now);
  });
  return (now) => tx.immediate(now);
}
function stashCommit(db: Database.Database): Commit {
  return (rows) => {
    stashed.set(db, rows);
  };
}
function applyStashed(db: Database.Database): void {
  const rows = stashed.get(db);
  if (rows !== undefined) setSeqsNonce(db)(rows, Date.now());
  stashed.delete(db);
}

// ── the loop ─────────────────────────────────────────────────────────────────────────────────

interface Variant {
  readonly name: string;
  readonly claim: (db: Database.Database) => Claim;
  readonly commit: (db: Database.Database) => Commit;
  /** Work left over once every job was claimed (the last stashed commit). */
  readonly finish?: (db: Database.Database) => void;
}

const variants: Variant[] = [
  { name: 'before: claim objects, commit per row by id', claim: claimObjects, commit: perRowById },
  {
    name: 'now: claim select+update, commit set by claim nonce',
    claim: claimSelectUpdate,
    commit: setSeqsNonce,
  },
  ...[
    'cache_size = -65536',
    'mmap_size = 268435456',
    'wal_autocheckpoint = 4000',
    'cache_size = -65536;mmap_size = 268435456',
  ].map((pragmas): Variant => ({
    name: `now + ${pragmas}`,
    claim: (db) => {
      for (const pragma of pragmas.split(';')) db.pragma(pragma);
      return claimSelectUpdate(db);
    },
    commit: setSeqsNonce,
  })),
  {
    name: 'now, each commit in the next claim transaction',
    claim: claimWithStashedCommit,
    commit: stashCommit,
    finish: applyStashed,
  },
  { name: 'commit per row by seq', claim: claimObjects, commit: perRowBySeq },
  {
    name: 'commit set json by seq, RETURNING',
    claim: claimObjects,
    commit: (db) => setJson(db, true),
  },
  {
    name: 'commit set json by seq, no RETURNING',
    claim: claimObjects,
    commit: (db) => setJson(db, false),
  },
  {
    name: 'commit set json by seq, RETURNING, no owner',
    claim: claimObjects,
    commit: (db) => setJson(db, true, false),
  },
  { name: 'commit set json by (run, stage, id)', claim: claimObjects, commit: setJsonById },
  { name: 'commit set VALUES by seq', claim: claimObjects, commit: setValues },
  { name: 'commit set temp table by seq', claim: claimObjects, commit: setTemp },
  {
    name: 'claim raw + set json RETURNING',
    claim: (db) => claimRaw(db, false),
    commit: (db) => setJson(db, true),
  },
  {
    name: 'claim raw, nonce token + per row by seq',
    claim: (db) => claimRaw(db, true),
    commit: perRowBySeq,
  },
  {
    name: 'claim raw, nonce token + set json no RETURNING',
    claim: (db) => claimRaw(db, true),
    commit: (db) => setJson(db, false),
  },
  {
    name: 'claim raw, nonce token + set json, owner param',
    claim: (db) => claimRaw(db, true),
    commit: setJsonOwner,
  },
  {
    name: 'claim raw, nonce token + set seqs by nonce',
    claim: (db) => claimRaw(db, true),
    commit: setSeqsNonce,
  },
  {
    name: 'claim select+update + per row by seq',
    claim: claimSelectUpdate,
    commit: perRowBySeq,
  },
  {
    name: 'claim raw, nonce token + set json RETURNING',
    claim: (db) => claimRaw(db, true),
    commit: (db) => setJson(db, true),
  },
];

/** CPU microseconds `body` takes, per job of the whole run. */
function cpuPerJob(body: () => void): number {
  const start = process.cpuUsage();
  body();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

interface Running {
  readonly v: Variant;
  readonly db: Database.Database;
  readonly claim: Claim;
  readonly commit: Commit;
  claimUs: number;
  commitUs: number;
  done: number;
}

/**
 * One round: every variant on its own fresh file, in lockstep (one claim and commit of each in
 * turn), so that a noisy neighbour's bursts fall on all of them alike.
 */
async function round(chosen: readonly Variant[]): Promise<Map<Variant, Running>> {
  const running: Running[] = [];
  for (const v of chosen) {
    const db = await fresh(v.name);
    running.push({
      v,
      db,
      claim: v.claim(db),
      commit: v.commit(db),
      claimUs: 0,
      commitUs: 0,
      done: 0,
    });
  }
  let now = Date.now();
  while (running.some((r) => r.done < n)) {
    for (const r of running) {
      if (r.done >= n) continue;
      let rows: Row[] = [];
      r.claimUs += cpuPerJob(() => (rows = r.claim(now)));
      if (rows.length === 0) throw new Error(`${r.v.name}: nothing left to claim at ${r.done}`);
      r.commitUs += cpuPerJob(() => r.commit(rows, now + 1));
      r.done += rows.length;
    }
    now += 2;
  }
  for (const r of running) {
    if (r.v.finish) r.commitUs += cpuPerJob(() => r.v.finish!(r.db));
    const left = r.db
      .prepare<[], number>(`SELECT count(*) FROM items WHERE state <> 'completed'`)
      .pluck()
      .get();
    if (left !== 0) throw new Error(`${r.v.name}: ${left} jobs not completed`);
    r.db.close();
    rmSync(r.db.name, { force: true });
  }
  return new Map(running.map((r) => [r.v, r]));
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

try {
  const chosen = variants.filter(
    (v) => only === undefined || only.split('|').some((part) => v.name.includes(part)),
  );
  const results = new Map<Variant, Running[]>(chosen.map((v) => [v, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [v, run] of await round(chosen)) results.get(v)!.push(run);
  }
  process.stdout.write(`${n} jobs, claim 500 at a time, median of ${rounds} rounds in lockstep\n`);
  for (const [v, runs] of results) {
    const claimUs = median(runs.map((r) => r.claimUs));
    const commitUs = median(runs.map((r) => r.commitUs));
    const total = median(runs.map((r) => r.claimUs + r.commitUs));
    process.stdout.write(
      `${v.name.padEnd(46)} claim ${claimUs.toFixed(1).padStart(5)}  commit ${commitUs.toFixed(1).padStart(5)}` +
        `  total ${total.toFixed(1).padStart(5)} us/job  => ${Math.round(1e6 / total)} jobs/s of CPU\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
