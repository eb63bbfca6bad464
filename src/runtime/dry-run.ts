import type { Logger } from 'pino';
import { classify as defaultClassify, type Classifier } from '../errors/index.js';
import type { ClaimedItem } from '../store/index.js';
import type { Pipeline } from './define-pipeline.js';
import { ItemContext } from './item-context.js';
import type { ServiceCaller } from './service-caller.js';
import { checkSourceItem, isPaginated, type Source, type SourceItem } from './sources.js';

export interface DryRunOptions<T> {
  readonly pipeline: Pipeline;
  readonly seed: Source<T>;
  readonly limit?: number;
  readonly services: ServiceCaller;
  readonly logger: Logger;
  readonly classify?: Classifier;
}

export interface DryRunStageReport {
  completed: number;
  failed: number;
  emitted: number;
  readonly failures: { readonly id: string; readonly category: string; readonly error: string }[];
}

/**
 * Runs the seed through every stage in memory, once per item, with `ctx.dryRun` true, and
 * writes nothing: no run, no items, no checkpoints. Failures are reported, not retried. For
 * checking a pipeline (and the services it calls) before a real run.
 */
export async function dryRun<T>(
  options: DryRunOptions<T>,
): Promise<Record<string, DryRunStageReport>> {
  const { pipeline, services, logger } = options;
  const classify = options.classify ?? defaultClassify;
  const report: Record<string, DryRunStageReport> = {};
  let queue: SourceItem<unknown>[] = await collect(options.seed, options.limit ?? Infinity);
  for (const [index, stage] of pipeline.stages.entries()) {
    const stageReport: DryRunStageReport = { completed: 0, failed: 0, emitted: 0, failures: [] };
    report[stage.name] = stageReport;
    const next: SourceItem<unknown>[] = [];
    for (const source of queue) {
      const item: ClaimedItem = {
        runId: 'dry-run',
        stage: stage.name,
        id: source.id,
        owner: 'dry-run',
        token: '',
        attempt: 1,
        leaseExpiresAt: 0,
        input: source.input,
        checkpoint: null,
        priority: source.priority ?? 0,
        availableAt: 0,
        parentId: null,
        traceContext: null,
      };
      const context = new ItemContext(
        {
          runId: 'dry-run',
          pipeline: pipeline.name,
          dryRun: true,
          services,
          logger,
          saveCheckpoint: () => Promise.resolve(),
          addUsage: () => undefined,
        },
        item,
      );
      try {
        const output: unknown = await stage.handler(source.input, context);
        stageReport.completed += 1;
        if (index + 1 < pipeline.stages.length) {
          const emitted =
            context.emitted ?? (output === undefined ? [] : [{ id: source.id, input: output }]);
          stageReport.emitted += emitted.length;
          next.push(...emitted);
        }
      } catch (error) {
        const { category, message } = classify(error);
        stageReport.failed += 1;
        stageReport.failures.push({ id: source.id, category, error: message });
      }
    }
    queue = next;
  }
  return report;
}

async function collect<T>(source: Source<T>, limit: number): Promise<SourceItem<unknown>[]> {
  const items: SourceItem<unknown>[] = [];
  if (isPaginated(source)) {
    const controller = new AbortController();
    let cursor = source.first;
    while (items.length < limit) {
      const page = await source.fetchPage(cursor, controller.signal);
      items.push(...page.items.slice(0, limit - items.length));
      if (page.next === undefined) break;
      cursor = page.next;
    }
  } else {
    for await (const item of source as AsyncIterable<SourceItem<T>>) {
      if (items.length >= limit) break;
      items.push(item);
    }
  }
  items.forEach((item, index) => checkSourceItem(item, index));
  return items;
}
