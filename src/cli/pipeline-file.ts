/**
 * Why: `sluice run pipeline.ts` must work on the file a user just wrote, TypeScript included,
 * without a build step: TypeScript and JavaScript files load through tsx's loader. A file that
 * does not export what a run needs is told exactly what to export.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { definePipeline, type Pipeline, type Source } from '../runtime/index.js';
import { CliError } from './cli-error.js';

export interface PipelineModule {
  /** Absolute path of the file. */
  readonly path: string;
  readonly pipeline: Pipeline;
  /** The first stage's items, if the file exports `seed` (a Source, or a function returning one). */
  readonly seed: Source<unknown> | undefined;
}

const looksLikePipeline = (v: unknown): v is Pipeline =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Pipeline).name === 'string' &&
  Array.isArray((v as Pipeline).stages) &&
  typeof (v as Pipeline).stageIndex === 'function';

export const pipelineExportHelp =
  'export `pipeline` (or a default export): the result of definePipeline({...}); optionally `seed`: an array or (async) iterable of { id, input }, a paginated source, or a function returning one';

export async function loadPipelineFile(file: string): Promise<PipelineModule> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new CliError('SLUICE_BAD_PIPELINE_FILE', `no pipeline file at ${path}`);
  }
  let module: Record<string, unknown>;
  try {
    const { tsImport } = await import('tsx/esm/api');
    module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CliError('SLUICE_BAD_PIPELINE_FILE', `${path} could not be loaded: ${why}`);
  }
  const exported = module.pipeline ?? module.default;
  if (!looksLikePipeline(exported)) {
    const names = Object.keys(module).filter((k) => k !== '__esModule' && k !== 'default');
    throw new CliError(
      'SLUICE_BAD_PIPELINE_FILE',
      `${path} must ${pipelineExportHelp}; it exports ${names.length === 0 ? 'nothing' : names.join(', ')}`,
    );
  }
  const rawSeed = module.seed;
  const seed = (typeof rawSeed === 'function' ? await (rawSeed as () => unknown)() : rawSeed) as
    Source<unknown> | undefined;
  return { path, pipeline: exported, seed };
}

/** The pipeline with every stage's concurrency set to `n` (`--concurrency`); as is if undefined. */
export function withConcurrency(pipeline: Pipeline, n: number | undefined): Pipeline {
  if (n === undefined) return pipeline;
  return definePipeline({
    name: pipeline.name,
    version: pipeline.version,
    services: pipeline.services,
    stages: pipeline.stages.map((stage) => ({ ...stage, concurrency: n })),
  } as never);
}
