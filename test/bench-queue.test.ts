import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { libs, runChild } from '../bench/suites/queue.js';

/** A smoke run of the queue benchmark's sluice child: tiny counts, the shape of its JSON lines. */
describe('bench queue: the sluice child', () => {
  const sluice = libs.find((lib) => lib.lib === 'sluice')!;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-qbench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const head = (name: string) => ({
    case: name,
    lib: 'sluice',
    backend: 'sqlite',
    config: expect.stringContaining('"concurrency":1000') as unknown,
  });
  const positive = expect.any(Number) as unknown;

  it('burn_down prints one line with enqueue and process rates', async () => {
    const lines = await runChild(sluice.script, ['--case', 'burn_down', '--n', '500']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      ...head('burn_down'),
      n: 500,
      enqueue_per_s: positive,
      process_per_s: positive,
      rss_mb: positive,
    });
    expect(lines[0]!.process_per_s).toBeGreaterThan(0);
    expect(JSON.parse(String(lines[0]!.config))).toMatchObject({ worker: { batchSize: 500 } });
  });

  it('start_latency prints percentiles', async () => {
    const lines = await runChild(sluice.script, [
      ...['--case', 'start_latency', '--rate', '100', '--seconds', '0.2', '--pollMs', '5'],
    ]);
    expect(lines).toEqual([
      expect.objectContaining({ ...head('start_latency'), jobs: 20, poll_ms: 5 }),
    ]);
    const [line] = lines;
    expect(line!.p50_ms).toBeGreaterThanOrEqual(0);
    expect(line!.p99_ms).toBeGreaterThanOrEqual(line!.p50_ms as number);
  });

  it('pending_1m fills a file in one process and measures a worker on it in another', async () => {
    const common = ['--case', 'pending_1m', '--db', join(dir, 'p.db'), '--n', '1000'];
    const fill = await runChild(sluice.script, [...common, '--phase', 'fill']);
    expect(fill).toEqual([expect.objectContaining({ phase: 'fill', enqueue_per_s: positive })]);
    const work = await runChild(sluice.script, [...common, '--phase', 'work', '--after', '200']);
    expect(work).toEqual([
      expect.objectContaining({ ...head('pending_1m'), pending: 1000, rss_mb: positive }),
    ]);
    expect(work[0]!.processed).toBeGreaterThanOrEqual(200);
  });
});
