import { InvalidConfigError } from '../../errors/index.js';
import { encodeCursor, isTimeAndId, normalizePage, normalizeRunFilter } from '../input/filters.js';
import { toJson } from '../json.js';
import { runStatuses, type NewRun, type Page, type RunRecord, type RunStatus } from '../records.js';
import { requireId, requireObject, requireOneOf, requireTime } from '../validate.js';
import { toRunRecord, type RunRow } from './rows.js';
import type { PgContext } from './sql.js';

/** The runs table: create (idempotent by ID), read, list newest first, status and summary. */
export function prepareRuns(ctx: PgContext) {
  const { pool, q } = ctx;
  const insert = `INSERT INTO ${q}.runs
       (id, pipeline, pipeline_version, status, options, created_at, updated_at)
     VALUES ($1, $2, $3, 'running', $4::jsonb, $5, $5)
     ON CONFLICT (id) DO NOTHING`;
  const get = `SELECT * FROM ${q}.runs WHERE id = $1`;
  const list = `SELECT * FROM ${q}.runs
     WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR pipeline = $2)
       AND ($3::bigint IS NULL OR (created_at, id) < ($3, $4::text))
     ORDER BY created_at DESC, id DESC LIMIT $5`;
  const setStatus = `UPDATE ${q}.runs SET status = $1, updated_at = $2 WHERE id = $3`;
  const setSummary = `UPDATE ${q}.runs SET summary = $1::jsonb, updated_at = $2 WHERE id = $3`;

  const mustChange = (changes: number | null, runId: string) => {
    if (changes === 0) throw new InvalidConfigError('runId', 'the ID of an existing run', runId);
  };

  return {
    async createRun(run: NewRun, now: number): Promise<{ run: RunRecord; created: boolean }> {
      const r = requireObject<NewRun>(run, 'run');
      const id = requireId(r.id, 'run.id');
      const pipeline = requireId(r.pipeline, 'run.pipeline');
      const version = requireId(r.pipelineVersion, 'run.pipelineVersion');
      const options = toJson(r.options ?? {}, 'run.options');
      const at = requireTime(now, 'now');
      const created = (await pool.query(insert, [id, pipeline, version, options, at])).rowCount;
      const stored = (await pool.query<RunRow>(get, [id])).rows[0]!;
      if (stored.pipeline !== pipeline) {
        throw new InvalidConfigError(
          'run.pipeline',
          `"${stored.pipeline}" (run "${id}" already exists for that pipeline)`,
          pipeline,
        );
      }
      return { run: toRunRecord(stored), created: created === 1 };
    },

    async getRun(runId: string): Promise<RunRecord | undefined> {
      const { rows } = await pool.query<RunRow>(get, [requireId(runId, 'runId')]);
      return rows[0] === undefined ? undefined : toRunRecord(rows[0]);
    },

    async listRuns(filter: unknown, page: unknown): Promise<Page<RunRecord>> {
      const f = normalizeRunFilter(filter);
      const p = normalizePage(page, isTimeAndId);
      const { rows } = await pool.query<RunRow>(list, [
        f.status,
        f.pipeline,
        p.after?.[0] ?? null,
        p.after?.[1] ?? null,
        p.limit + 1,
      ]);
      const more = rows.length > p.limit;
      const items = (more ? rows.slice(0, p.limit) : rows).map(toRunRecord);
      const last = items[items.length - 1];
      return {
        items,
        next: more && last ? encodeCursor([last.createdAt, last.id]) : undefined,
      };
    },

    async setRunStatus(runId: string, status: RunStatus, now: number): Promise<void> {
      const s = requireOneOf(status, 'status', runStatuses);
      const at = requireTime(now, 'now');
      const id = requireId(runId, 'runId');
      mustChange((await pool.query(setStatus, [s, at, id])).rowCount, runId);
    },

    async saveSummary(runId: string, summary: unknown, now: number): Promise<void> {
      const json = toJson(summary, 'summary');
      const at = requireTime(now, 'now');
      const id = requireId(runId, 'runId');
      mustChange((await pool.query(setSummary, [json, at, id])).rowCount, runId);
    },
  };
}
