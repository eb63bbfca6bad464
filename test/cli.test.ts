import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { createSqliteStore } from '../src/store/index.js';
import { describeSqlite } from '../src/testing/vitest/index.js';
import { buildOperatedRun, operatedRunId } from './support/operated-run.js';

/** The real `sluice` bin in a child process: exit codes and what reaches stderr. */
const bin = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));

async function sluice(args: readonly string[], env: Record<string, string> = {}) {
  const { SLUICE_DB: _ours, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describeSqlite('the sluice bin', (sqlite) => {
  beforeAll(async () => {
    await buildOperatedRun(sqlite().path);
  });

  it("exits 2 (bad usage) with commander's message for a bad flag value", async () => {
    const { code, stdout, stderr } = await sluice(['runs', '--db', sqlite().path, '--limit', '-1']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      "error: option '--limit <n>' argument '-1' is invalid. --limit must be a whole number >= 1, got -1\n",
    );
  });

  it('exits 1 with `sluice: <message> (<code>)` for a missing database, and creates none', async () => {
    const path = `${sqlite().dir}/nowhere/missing.db`;
    const { code, stdout, stderr } = await sluice(['status', '--db', path]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `sluice: no Sluice database at ${path}; run \`sluice migrate --db ${path}\` or a pipeline first (--db or SLUICE_DB picks the file) (SLUICE_NO_DATABASE)\n`,
    );
    expect(existsSync(`${sqlite().dir}/nowhere`)).toBe(false);
  });

  it('takes the database from SLUICE_DB, as --help says', async () => {
    const runs = await sluice(['runs', '--json'], { SLUICE_DB: sqlite().path });
    expect(runs.code).toBe(0);
    expect((JSON.parse(runs.stdout) as { runs: { id: string }[] }).runs.map((r) => r.id)).toEqual([
      operatedRunId,
    ]);
    const help = await sluice(['runs', '--help']);
    expect(help.code).toBe(0);
    // Help wraps at the terminal's width: compare with the line breaks folded.
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      '--db <path> SQLite file of the embedded store (default: ".sluice/sluice.db", env: SLUICE_DB)',
    );
  });
});

describeSqlite('sluice serve', (sqlite) => {
  beforeAll(async () => {
    await buildOperatedRun(sqlite().path);
  });

  it('serves the stored run summary behind scoped tokens until SIGTERM, then exits 0', async () => {
    const token = 'a-test-token-of-some-length';
    const admin = 'an-admin-token-of-some-length';
    const { SLUICE_DB: _ours, ...inherited } = process.env;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', bin, 'serve', '--db', sqlite().path, '--port', '0'],
      {
        env: { ...inherited, SLUICE_API_TOKENS: `screen:read:${token},oncall:admin:${admin}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = once(child, 'exit');
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /at (http:\/\/\S+) /.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening`)));
    });
    try {
      const summaryUrl = `${url}/api/v1/runs/${operatedRunId}/summary`;
      expect((await fetch(summaryUrl)).status).toBe(401);
      const response = await fetch(summaryUrl, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      const store = await createSqliteStore({ path: sqlite().path });
      const run = await store.getRun(operatedRunId);
      await store.close();
      expect(await response.json()).toEqual({ runId: operatedRunId, summary: run!.summary });
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const retry = (secret: string) =>
        fetch(`${url}/api/v1/runs/${operatedRunId}/retry-failed`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}` },
        });
      expect((await retry(token)).status).toBe(403);
      expect((await retry(admin)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });

  it('refuses to serve the API without a token, naming where it comes from', async () => {
    const { code, stderr } = await sluice(['serve', '--db', sqlite().path, '--port', '0']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /SLUICE_API_TOKEN \(or --token\) or scoped SLUICE_API_TOKENS, or pass --no-auth .*\(SLUICE_NO_TOKEN\)/,
    );
  });
});
