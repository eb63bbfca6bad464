import type Database from 'better-sqlite3';
import { InvalidConfigError } from '../../errors/index.js';
import { encodeCursor, isTimeAndId, normalizePage, normalizeRunFilter } from '../input/filters.js';
import { toJson } from '../json.js';
import { runStatuses, type NewRun, type Page, type RunRecord, type RunStatus } from '../records.js';
import { requireId, requireObject, requireOneOf, requireTime } from '../validate.js';
import { toRunRecord, type RunRow } from './rows.js';

/** The runs table: create (idempotent by ID), read, list newest first, status and summary. */
export function prepareRuns(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO runs (id, pipeline, pipeline_version, status, options, created_at, updated_at)
     VALUES (@id, @pipeline, @pipelineVersion, 'running', @options, @now, @now)
     ON CONFLICT (id) DO NOTHING`,
  );
  const get = db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?');
  const list = db.prepare<Record<string, unknown>, RunRow>(
    `SELECT * FROM runs
     WHERE (@status IS NULL OR status = @status) AND (@pipeline IS NULL OR pipeline = @pipeline)
       AND (@afterAt IS NULL OR (created_at, id) < (@afterAt, @afterId))
     ORDER BY created_at DESC, id DESC LIMIT @limit`,
  );
  const setStatus = db.prepare('UPDATE runs SET status = ?, updated_at = ? WHERE id = ?');
  const setSummary = db.prepare('UPDATE runs SET summary = ?, updated_at = ? WHERE id = ?');

  const mustChange = (changes: number, runId: string) => {
    if (changes === 0) throw new InvalidConfigError('runId', 'the ID of an existing run', runId);
  };

  return {
    createRun(run: NewRun, now: number): { run: RunRecord; created: boolean } {
      const r = requireObject<NewRun>(run, 'run');
      const id = requireId(r.id, 'run.id');
      const pipeline = requireId(r.pipeline, 'run.pipeline');
      const row = {
        id,
        pipeline,
        pipelineVersion: requireId(r.pipelineVersion, 'run.pipelineVersion'),
        options: toJson(r.options ?? {}, 'run.options'),
        now: requireTime(now, 'now'),
      };
      const created = insert.run(row).changes === 1;
      const stored = get.get(id)!;
      if (stored.pipeline !== pipeline) {
        throw new InvalidConfigError(
          'run.pipeline',
          `"${stored.pipeline}" (run "${id}" already exists for that pipeline)`,
          pipeline,
        );
      }
      return { run: toRunRecord(stored), created };
    },

    getRun(runId: string): RunRecord | undefined {
      const row = get.get(requireId(runId, 'runId'));
      return row === undefined ? undefined : toRunRecord(row);
    },

    listRuns(filter: unknown, page: unknown): Page<RunRecord> {
      const f = normalizeRunFilter(filter);
      const p = normalizePage(page, isTimeAndId);
      const rows = list.all({
        ...f,
        afterAt: p.after?.[0] ?? null,
        afterId: p.after?.[1] ?? null,
        limit: p.limit + 1,
      });
      const more = rows.length > p.limit;
      const items = (more ? rows.slice(0, p.limit) : rows).map(toRunRecord);
      const last = items[items.length - 1];
      return {
        items,
        next: more && last ? encodeCursor([last.createdAt, last.id]) : undefined,
      };
    },

    setRunStatus(runId: string, status: RunStatus, now: number): void {
      const s = requireOneOf(status, 'status', runStatuses);
      mustChange(
        setStatus.run(s, requireTime(now, 'now'), requireId(runId, 'runId')).changes,
        runId,
      );
    },

    saveSummary(runId: string, summary: unknown, now: number): void {
      const json = toJson(summary, 'summary');
      mustChange(
        setSummary.run(json, requireTime(now, 'now'), requireId(runId, 'runId')).changes,
        runId,
      );
    },
  };
}
