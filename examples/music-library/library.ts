/**
 * The seed source: every audio file under the library directory, with a priority. Walking is
 * lazy (an async generator), so a library of a million files is seeded page by page, not held
 * in memory; an item's ID is its path relative to the library, so a rerun seeds nothing twice.
 */
import { opendir, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import type { SourceItem } from '../../src/index.js';

export const audioFormats = ['wav', 'flac', 'mp3'] as const;
export type AudioFormat = (typeof audioFormats)[number];

/** How files are ordered: small files first, lossless first, or the order found. */
export type PriorityMode = 'size' | 'format' | 'none';

export interface AudioFile {
  readonly path: string;
  readonly format: AudioFormat;
  readonly bytes: number;
}

export interface WalkOptions {
  readonly priority: PriorityMode;
  /** Folders (relative to the library) the user wants done first: +1,000,000 priority. */
  readonly boost?: readonly string[];
}

const formatRank: Record<AudioFormat, number> = { flac: 2, wav: 2, mp3: 1 };

export function priorityOf(file: AudioFile, rel: string, options: WalkOptions): number {
  const boosted = options.boost?.some((dir) => rel === dir || rel.startsWith(`${dir}/`));
  const base =
    options.priority === 'size'
      ? // Smaller first: a quick first result, and big files do not block the rest.
        -Math.ceil(file.bytes / 1024)
      : options.priority === 'format'
        ? formatRank[file.format]
        : 0;
  return base + (boosted ? 1_000_000 : 0);
}

export async function* walkLibrary(
  root: string,
  options: WalkOptions,
): AsyncGenerator<SourceItem<AudioFile>> {
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for await (const entry of await opendir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      if (!entry.isFile()) continue;
      const format = extname(entry.name).slice(1).toLowerCase() as AudioFormat;
      if (!audioFormats.includes(format)) continue;
      const file: AudioFile = { path, format, bytes: (await stat(path)).size };
      const rel = relative(root, path);
      yield { id: rel, input: file, priority: priorityOf(file, rel, options) };
    }
  }
}
