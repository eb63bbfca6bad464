/**
 * A library of real audio files for the example's test and its throughput figure: short tones
 * written by Debian's sox as WAV, FLAC and MP3 with tags, in artist/album folders, plus (on
 * request) one file that only pretends to be audio.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function soxAvailable(): boolean {
  const probe = spawnSync('sox', ['--version'], { stdio: 'ignore' });
  return (
    probe.status === 0 && spawnSync('sox', ['-h'], { encoding: 'utf8' }).stdout.includes('mp3')
  );
}

export interface FixtureOptions {
  readonly count: number;
  /** Seconds of audio per file. Default 2. */
  readonly seconds?: number;
  /** Also write `broken/not-audio.mp3`. */
  readonly broken?: boolean;
}

/** Writes the library under `dir`; returns how many audio files (the broken one included). */
export function generateLibrary(dir: string, options: FixtureOptions): number {
  const seconds = options.seconds ?? 2;
  const formats = ['wav', 'flac', 'mp3'] as const;
  // One source tone per format, converted once: sox starts are the slow part.
  const master = join(dir, '.master.wav');
  mkdirSync(dir, { recursive: true });
  execFileSync('sox', [
    '-n',
    '-r',
    '22050',
    '-c',
    '1',
    master,
    'synth',
    String(seconds),
    'sine',
    '440',
  ]);
  for (let i = 0; i < options.count; i++) {
    const format = formats[i % formats.length]!;
    const artist = `Artist ${i % 7}`;
    const album = `Album ${i % 3}`;
    const folder = join(dir, artist, album);
    mkdirSync(folder, { recursive: true });
    const tags =
      format === 'flac'
        ? [`ARTIST=${artist}`, `ALBUM=${album}`, `TITLE=Track ${i}`]
        : [`Artist=${artist}`, `Album=${album}`, `Title=Track ${i}`];
    const path = join(folder, `track-${i}.${format}`);
    // sox takes ~60 ms a file: past the first 30, copy one of them (same format, new name).
    if (i >= 30) {
      copyFileSync(
        join(dir, `Artist ${(i % 30) % 7}`, `Album ${(i % 30) % 3}`, `track-${i % 30}.${format}`),
        path,
      );
      continue;
    }
    const comments = format === 'wav' ? [] : tags.flatMap((tag) => ['--comment', tag]);
    execFileSync('sox', [master, ...comments, path]);
  }
  rmSync(master);
  if (options.broken) {
    mkdirSync(join(dir, 'broken'), { recursive: true });
    writeFileSync(join(dir, 'broken', 'not-audio.mp3'), 'this is not an mp3 file at all');
  }
  return options.count + (options.broken ? 1 : 0);
}
