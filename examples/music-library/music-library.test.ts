import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/index.js';
import { generateLibrary, soxAvailable } from './fixtures.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const hasSox = soxAvailable();
if (!hasSox) console.warn('music-library example skipped: sox with MP3 support is not installed');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the example; `onServing` gets the server URL as soon as it is up. */
function runExample(
  args: readonly string[],
  onServing?: (url: string, kill: () => void) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let served = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /"url":"(http:[^"]+)".*serving/.exec(stderr);
      if (match && !served) {
        served = true;
        onServing?.(match[1]!, () => child.kill('SIGTERM'));
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!hasSox)('examples/music-library', () => {
  let dir: string;
  const files = 300;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-music-'));
    generateLibrary(join(dir, 'library'), { count: files, broken: true });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves health and metrics, stops cleanly on SIGTERM, and resumes to every file read once', async () => {
    const db = join(dir, 'music.db');
    const library = join(dir, 'library');
    let ready: { status: number; body: { status: string; dependencies?: unknown[] } } | undefined;
    let metrics = '';
    const first = await runExample(
      ['--dir', library, '--db', db, '--port', '0', '--concurrency', '1'],
      (url, kill) => {
        void (async () => {
          const response = await fetch(`${url}/health/ready`);
          ready = { status: response.status, body: (await response.json()) as never };
          metrics = await (await fetch(`${url}/metrics`)).text();
          kill();
        })();
      },
    );
    expect(first.code, first.stderr).toBe(143);
    expect(ready?.status).toBe(200);
    expect(JSON.stringify(ready?.body)).toContain('library');
    expect(metrics).toContain('music_file_processing_seconds');
    expect(metrics).toContain('sluice_queue_depth');

    const second = await runExample(['--dir', library, '--db', db, '--port', '0']);
    // One file is not audio: it is reported (exit 1), every other file is read.
    expect(second.code, second.stderr).toBe(1);
    const summary = JSON.parse(second.stdout.trim()) as Record<string, number | string>;
    expect(summary).toMatchObject({
      status: 'completed',
      files: files + 1,
      read: files,
      unreadable: 1,
    });

    const store = await createSqliteStore({ path: db });
    try {
      const counts = await store.counts('library');
      expect(counts.analyze).toMatchObject({
        total: files + 1,
        completed: files,
        dead: 1,
        leased: 0,
      });
      const [dead] = (await store.deadLetters({ runId: 'library' })).items;
      expect(dead).toMatchObject({ id: 'broken/not-audio.mp3', category: 'non_recoverable' });
      const { items } = await store.listItems({
        runId: 'library',
        stage: 'analyze',
        ids: ['Artist 1/Album 1/track-1.flac'],
      });
      expect(items[0]?.output).toMatchObject({
        format: 'flac',
        artist: 'Artist 1',
        title: 'Track 1',
      });
    } finally {
      await store.close();
    }
  }, 120_000);

  it('refuses bad flags with exit 2, naming the flag', async () => {
    const run = await runExample(['--dir', dir, '--concurrency', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--concurrency must be an integer >= 1, got "0"');
    const missing = await runExample(['--dir', join(dir, 'no-such-folder')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--dir .*no-such-folder is not a readable folder/);
  });
});
