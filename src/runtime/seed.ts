import { AbortedError } from '../errors/index.js';
import type { SeedItem, Store } from '../store/index.js';
import { checkSourceItem, isPaginated, type Source, type SourceItem } from './sources.js';

export interface SeedRunOptions<T> {
  readonly store: Store;
  readonly runId: string;
  readonly stage: string;
  readonly source: Source<T>;
  readonly limit?: number;
  readonly now: () => number;
  readonly signal: AbortSignal;
  /** Called after each batch is stored, so the first stage can start on it at once. */
  readonly onBatch: () => void;
  readonly batchSize?: number;
}

/**
 * Feeds a source into the first stage in batches while the stages already run. Idempotent by
 * item ID, so seeding a resumed run again costs reads, not duplicates. A paginated source's
 * cursor is checkpointed after each page, so a restart resumes at the page where it stopped.
 */
export async function seedRun<T>(options: SeedRunOptions<T>): Promise<void> {
  const { store, runId, stage, source, signal } = options;
  const batchSize = options.batchSize ?? 500;
  let remaining = options.limit ?? Infinity;
  let index = 0;
  let batch: SeedItem[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await store.seedItems(runId, stage, batch, options.now());
    batch = [];
    options.onBatch();
  };
  const take = async (item: SourceItem<T>): Promise<void> => {
    checkSourceItem(item, index++);
    batch.push({
      id: item.id,
      input: item.input,
      ...(item.priority === undefined ? {} : { priority: item.priority }),
    });
    remaining -= 1;
    if (batch.length >= batchSize) await flush();
  };

  if (isPaginated(source)) {
    const checkpointName = `source:${source.name}`;
    const saved = await store.getCheckpoint(runId, checkpointName);
    const state = saved?.state as { cursor?: unknown; done?: boolean } | undefined;
    if (state?.done) return;
    let cursor = (state ? state.cursor : source.first) as Parameters<typeof source.fetchPage>[0];
    let pages = (saved?.state as { pages?: number } | undefined)?.pages ?? 0;
    while (remaining > 0) {
      if (signal.aborted) throw new AbortedError(signal.reason);
      const page = await source.fetchPage(cursor, signal);
      for (const item of page.items) {
        if (remaining <= 0) break;
        await take(item);
      }
      await flush();
      const done = page.next === undefined;
      // After the page's items are stored: a crash in between re-reads one page, harmlessly.
      await store.putCheckpoint(
        runId,
        checkpointName,
        { cursor: page.next ?? null, done, pages: ++pages },
        options.now(),
      );
      if (done) break;
      cursor = page.next;
    }
    return;
  }

  for await (const item of source as AsyncIterable<SourceItem<T>>) {
    if (remaining <= 0) break;
    if (signal.aborted) throw new AbortedError(signal.reason);
    await take(item);
  }
  await flush();
}
