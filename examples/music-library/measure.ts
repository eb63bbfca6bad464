/**
 * The throughput figure of the README and bench/RESULTS.md: `npx tsx
 * examples/music-library/measure.ts [files] [seconds]` writes a library of `files` tracks of
 * `seconds` each (default 600 x 30 s: WAV, FLAC and MP3 in turn) and reads it with one file at a
 * time and with 8, printing files per hour for each. The users needed 1,000+ an hour and
 * reported 1,200 single-threaded, 8,000 batched.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateLibrary } from './fixtures.js';

const files = Number(process.argv[2] ?? 600);
const seconds = Number(process.argv[3] ?? 30);
const dir = mkdtempSync(join(tmpdir(), 'sluice-music-measure-'));
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
try {
  generateLibrary(join(dir, 'library'), { count: files, seconds });
  for (const concurrency of [1, 8]) {
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        '--dir',
        join(dir, 'library'),
        '--db',
        join(dir, `c${concurrency}.db`),
      ].concat(['--port', '0', '--concurrency', String(concurrency)]),
      { stdio: ['ignore', 'pipe', 'ignore'] },
    ).toString();
    const summary = JSON.parse(out.trim()) as Record<string, number>;
    process.stdout.write(
      `${JSON.stringify({ suite: 'example', case: 'music_library', files, track_seconds: seconds, concurrency, ...summary })}\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
