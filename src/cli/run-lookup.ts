import { InvalidConfigError } from '../errors/index.js';
import type { RunRecord, Store } from '../store/index.js';
import { CliError } from './cli-error.js';

/** The run a verb works on: the one named, else the most recent one in the database. */
export async function resolveRun(
  store: Store,
  runId: string | undefined,
  dbPath: string,
): Promise<RunRecord> {
  if (runId === undefined) {
    const newest = (await store.listRuns({}, { limit: 1 })).items[0];
    if (newest === undefined) {
      throw new CliError('SLUICE_NO_RUNS', `${dbPath} holds no runs yet; start a pipeline first`);
    }
    return newest;
  }
  const run = await store.getRun(runId);
  if (run === undefined) {
    throw new CliError(
      'SLUICE_UNKNOWN_RUN',
      `no run "${runId}" in ${dbPath}; \`sluice runs --db ${dbPath}\` lists the runs`,
    );
  }
  return run;
}

/**
 * Refuses a --stage the run has no items in, so a typo is an error rather than a filter that
 * silently matches nothing (and, for the verbs that write, changes nothing).
 */
export async function requireStage(
  store: Store,
  run: RunRecord,
  stage: string | undefined,
): Promise<void> {
  if (stage === undefined) return;
  const stages = Object.keys(await store.counts(run.id));
  if (stages.includes(stage)) return;
  throw new InvalidConfigError(
    '--stage',
    stages.length === 0
      ? `a stage of run "${run.id}", which has no items yet`
      : `one of the stages of run "${run.id}": ${stages.map((s) => `"${s}"`).join(', ')}`,
    stage,
  );
}
