import { InvalidConfigError } from '../errors/index.js';
import type { Json } from './stage.js';

/** One item offered by a source: a stable ID (re-seeding it is a no-op) and its input. */
export interface SourceItem<T> {
  readonly id: string;
  readonly input: T;
  readonly priority?: number;
}

export interface SourcePage<T> {
  readonly items: readonly SourceItem<T>[];
  /** The cursor of the next page; undefined on the last page. */
  readonly next: Json | undefined;
}

/**
 * A source read page by page (an API with a cursor or page number). After each page is seeded
 * its cursor is checkpointed with the run, so a restarted run goes on from the next page instead
 * of reading everything again.
 */
export interface PaginatedSource<T> {
  readonly kind: 'paginated';
  /** Names the cursor checkpoint; distinct sources of one run need distinct names. */
  readonly name: string;
  readonly first: Json | undefined;
  fetchPage(cursor: Json | undefined, signal: AbortSignal): Promise<SourcePage<T>>;
}

export type Source<T> = Iterable<SourceItem<T>> | AsyncIterable<SourceItem<T>> | PaginatedSource<T>;

export function paginated<T>(
  fetchPage: PaginatedSource<T>['fetchPage'],
  options: { readonly name?: string; readonly first?: Json } = {},
): PaginatedSource<T> {
  return {
    kind: 'paginated',
    name: options.name ?? 'source',
    first: options.first,
    fetchPage,
  };
}

export function isPaginated<T>(source: Source<T>): source is PaginatedSource<T> {
  return (source as { kind?: unknown }).kind === 'paginated';
}

/** Checks one source item's shape, naming the field. */
export function checkSourceItem(item: unknown, index: number): asserts item is SourceItem<unknown> {
  if (typeof item !== 'object' || item === null) {
    throw new InvalidConfigError(`seed[${index}]`, 'an object { id, input }', item);
  }
  const { id } = item as { id?: unknown };
  if (typeof id !== 'string' || id === '') {
    throw new InvalidConfigError(`seed[${index}].id`, 'a non-empty string', id);
  }
  if (!('input' in item)) {
    throw new InvalidConfigError(`seed[${index}].input`, 'present (any JSON value)', undefined);
  }
}
