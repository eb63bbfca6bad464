import { z } from 'zod';
import { InvalidConfigError } from '../errors/index.js';
import { parseConfig } from './parse-config.js';
import type { ServiceDefinition } from './service.js';
import { createServiceCaller } from './services.js';
import type { StageDefinition } from './stage.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- stage chains are checked by ChainError */
type AnyStage = StageDefinition<any, any, any>;

/**
 * Resolves to `unknown` when every stage's output type is assignable to the next stage's input
 * type, and to a readable error string type otherwise, so a mismatch fails to compile at the
 * `stages` property of definePipeline.
 */
export type ChainError<S extends readonly AnyStage[]> = S extends readonly [
  infer A,
  infer B,
  ...infer Rest,
]
  ? A extends StageDefinition<any, infer Out, any>
    ? B extends StageDefinition<infer In, any, any>
      ? [Out] extends [In]
        ? ChainError<[B, ...(Rest extends readonly AnyStage[] ? Rest : [])]>
        : `stage "${B extends { name: infer N extends string } ? N : string}" does not accept the output of the stage before it`
      : unknown
    : unknown
  : unknown;
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface PipelineDefinition<
  Services extends Readonly<Record<string, ServiceDefinition>>,
  Stages extends readonly AnyStage[],
> {
  /** Identifies the pipeline in the store, metrics and logs: letters, digits, `-`, `_`, `.`. */
  readonly name: string;
  /** Recorded with every run, so a resumed run can tell it is running newer code. */
  readonly version: string;
  readonly services?: Services;
  readonly stages: Stages;
}

export interface Pipeline<
  Services extends Readonly<Record<string, ServiceDefinition>> = Readonly<
    Record<string, ServiceDefinition>
  >,
> {
  readonly name: string;
  readonly version: string;
  readonly services: Services;
  readonly stages: readonly AnyStage[];
  /** Position of a stage by name, or -1. */
  stageIndex(name: string): number;
}

const identifier = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/,
    'letters, digits, "-", "_" or "." (1-100, starting with a letter or digit)',
  );
const positiveInt = z.number().int().min(1);

const stageSchema = z.object({
  name: identifier,
  handler: z.custom<(...args: unknown[]) => unknown>((v) => typeof v === 'function', 'a function'),
  concurrency: positiveInt.max(10_000).optional(),
  batchSize: positiveInt.max(10_000).optional(),
  timeoutMs: positiveInt.optional(),
  priority: z.number().int().optional(),
  services: z.array(z.string()).optional(),
  retry: z
    .object({
      maxAttempts: positiveInt.max(1000).optional(),
      backoff: z
        .object({
          initialMs: z.number().min(0).optional(),
          factor: z.number().min(1).optional(),
          capMs: z.number().min(0).optional(),
          jitter: z.enum(['none', 'full', 'equal']).optional(),
        })
        .strict()
        .optional(),
    })
    .strict()
    .optional(),
});

const pipelineSchema = z.object({
  name: identifier,
  version: z.string().min(1),
  services: z.record(identifier, z.object({}).passthrough()).optional(),
  stages: z.array(stageSchema.passthrough()).min(1),
});

/**
 * Declares a pipeline. Everything checkable before running is checked here, and the first
 * problem is thrown as an InvalidConfigError naming the field: duplicate or malformed stage
 * names, missing handlers, bad concurrency, retry or timeout values, stages that declare a
 * service the pipeline does not have. The result is frozen.
 */
export function definePipeline<
  const Services extends Readonly<Record<string, ServiceDefinition>>,
  const Stages extends readonly AnyStage[],
>(
  definition: PipelineDefinition<Services, Stages> & {
    readonly stages: Stages & ChainError<Stages>;
  },
): Pipeline<Services> {
  parseConfig(pipelineSchema, definition, 'pipeline');
  const services = (definition.services ?? {}) as Services;
  // Builds each service's policies once, so a bad option fails here, naming the service.
  createServiceCaller(services);
  const names = new Map<string, number>();
  definition.stages.forEach((stage: AnyStage, index: number) => {
    const earlier = names.get(stage.name);
    if (earlier !== undefined) {
      throw new InvalidConfigError(
        `pipeline.stages[${index}].name`,
        `unique (stages[${earlier}] is already named ${JSON.stringify(stage.name)})`,
        stage.name,
      );
    }
    names.set(stage.name, index);
    stage.services?.forEach((service: string, serviceIndex: number) => {
      if (!Object.hasOwn(services, service)) {
        throw new InvalidConfigError(
          `pipeline.stages[${index}].services[${serviceIndex}]`,
          `one of the pipeline's services (${Object.keys(services).join(', ') || 'none declared'})`,
          service,
        );
      }
    });
  });
  const stages = Object.freeze(
    definition.stages.map((stage: AnyStage) => Object.freeze({ ...stage })),
  );
  return Object.freeze({
    name: definition.name,
    version: definition.version,
    services: Object.freeze({ ...services }),
    stages,
    stageIndex: (name: string) => names.get(name) ?? -1,
  });
}
