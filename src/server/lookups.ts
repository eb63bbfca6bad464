/**
 * Why: the checks every run route makes before it reads or writes, so a request naming a run,
 * stage or page that does not exist is answered with a 404 or 400 naming that field, before the
 * store is asked to change anything.
 */
import { InvalidConfigError, isInvalidConfigError } from '../errors/index.js';
import type { PageRequest, RunRecord, Store } from '../store/index.js';
import { ApiError, notFound } from './errors.js';

export async function requireRun(store: Store, runId: string): Promise<RunRecord> {
  const run = await store.getRun(runId);
  if (run === undefined) throw notFound('run', 'runId', runId);
  return run;
}

/**
 * Refuses a stage the run has no items in: a misspelt stage would otherwise read as "nothing
 * there" (or retry nothing) instead of an error.
 */
export async function requireStage(
  store: Store,
  runId: string,
  stage: string | undefined,
): Promise<void> {
  if (stage === undefined) return;
  const stages = Object.keys(await store.counts(runId));
  if (stages.includes(stage)) return;
  const expected =
    stages.length === 0
      ? 'a stage of the run (it has no items yet)'
      : `a stage of the run: one of ${stages.map((s) => `"${s}"`).join(', ')}`;
  throw new InvalidConfigError('stage', expected, stage);
}

/** Refuses to send items back to work in a run that will never be worked again. */
export function requireNotCancelled(run: RunRecord, action: string): void {
  if (run.status === 'cancelled') {
    throw new ApiError(
      409,
      'conflict',
      `run ${JSON.stringify(run.id)} is cancelled: cannot ${action}`,
      'runId',
    );
  }
}

/** The store names page fields as its arguments; the client knows them as query parameters. */
const pageFields: Readonly<Record<string, string>> = {
  'page.after': 'cursor',
  'page.limit': 'limit',
};

/** Runs a paged store query, renaming a refused cursor or limit to the query parameter. */
export async function paged<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    const field = isInvalidConfigError(error) ? pageFields[error.field] : undefined;
    if (field === undefined || !isInvalidConfigError(error)) throw error;
    throw new InvalidConfigError(field, error.expected, error.got);
  }
}

/** The store's page request from the `limit` and `cursor` query parameters. */
export function pageRequest(q: { readonly limit?: number; readonly cursor?: string }): PageRequest {
  return {
    ...(q.limit === undefined ? {} : { limit: q.limit }),
    ...(q.cursor === undefined ? {} : { after: q.cursor }),
  };
}
