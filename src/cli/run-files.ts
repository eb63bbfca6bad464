/**
 * Why: `sluice resume RUN` must find the code of a run it did not start in this shell. When
 * `sluice run` starts a run, the pipeline file's path is kept as the run's `cli.pipeline-file`
 * checkpoint; resume loads it from there. The default run ID follows the Runner's rule (the
 * newest unfinished run of the pipeline, else a new one), decided here so progress can follow it.
 */
import type { Pipeline } from '../runtime/index.js';
import type { Store } from '../store/index.js';

export const pipelineFileCheckpoint = 'cli.pipeline-file';

export async function pickRunId(
  store: Store,
  pipeline: string,
  given: string | undefined,
): Promise<string> {
  if (given !== undefined) return given;
  const unfinished = await store.listRuns({ pipeline, status: 'running' }, { limit: 1 });
  return unfinished.items[0]?.id ?? `${pipeline}-${Date.now().toString(36)}`;
}

export async function rememberPipelineFile(
  store: Store,
  runId: string,
  pipeline: Pipeline,
  path: string,
): Promise<void> {
  const now = Date.now();
  await store.createRun(
    { id: runId, pipeline: pipeline.name, pipelineVersion: pipeline.version },
    now,
  );
  await store.putCheckpoint(runId, pipelineFileCheckpoint, { path, cwd: process.cwd() }, now);
}

export async function rememberedPipelineFile(
  store: Store,
  runId: string,
): Promise<string | undefined> {
  const saved = await store.getCheckpoint(runId, pipelineFileCheckpoint);
  const path = (saved?.state as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? path : undefined;
}
