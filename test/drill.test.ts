import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeRedis } from '../src/testing/vitest/index.js';

const entry = fileURLToPath(new URL('../drill/run.ts', import.meta.url));

function drill(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// The drills use the shared Redis only through their own redis-server; describeRedis keeps
// this suite with the other service suites (skipped, saying why, where services are missing).
describeRedis('npm run drill', () => {
  it('runs every scenario in quick mode and each one passes, one JSON line each', async () => {
    const { code, stdout, stderr } = await drill(['--quick', '--json']);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.case)).toEqual([
      'sigkill-sqlite',
      'graceful-sigterm',
      'redis-outage',
    ]);
    for (const line of lines) {
      expect(line, stderr).toMatchObject({ suite: 'drill', pass: true, lost: 0, duplicates: 0 });
      expect(line.completed).toBe(line.items);
      expect(Number(line.executions)).toBeGreaterThanOrEqual(Number(line.items));
      expect(typeof line.recovery_s).toBe('number');
    }
    expect(code).toBe(0);
  }, 180_000);

  it('refuses an unknown scenario or option with exit 2 and the list of scenarios', async () => {
    const { code, stderr } = await drill(['no-such-drill', '--fast']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown scenario: no-such-drill');
    expect(stderr).toContain('unknown option: --fast');
    expect(stderr).toMatch(/scenarios: sigkill-sqlite, graceful-sigterm, redis-outage/);
  });
});
