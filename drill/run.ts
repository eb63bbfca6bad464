/**
 * `npm run drill -- [scenario...] [--quick] [--json]`: runs reliability drills against real
 * processes and services on this machine and prints, per scenario, items, completed, lost,
 * committed twice, handler executions, time to recover and pass/fail (one JSON line each with
 * --json). Exits 1 if any scenario fails, 2 on bad usage. See docs/drills.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrillResult } from './scenario.js';
import { scenarios } from './scenarios/index.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const unknownFlags = args.filter(
  (arg) => arg.startsWith('--') && arg !== '--json' && arg !== '--quick',
);
const names = args.filter((arg) => !arg.startsWith('--'));
const known = new Map(scenarios.map((scenario) => [scenario.name, scenario]));
const unknown = names.filter((name) => !known.has(name));
if (unknown.length > 0 || unknownFlags.length > 0) {
  process.stderr.write(
    `${[...unknown.map((n) => `unknown scenario: ${n}`), ...unknownFlags.map((f) => `unknown option: ${f}`)].join('\n')}\n` +
      `usage: npm run drill -- [scenario...] [--quick] [--json]\nscenarios: ${[...known.keys()].join(', ')}\n`,
  );
  process.exit(2);
}

const chosen = names.length > 0 ? names.map((name) => known.get(name)!) : scenarios;
const rows: (DrillResult & { scenario: string })[] = [];
let failed = false;
for (const scenario of chosen) {
  const reason = scenario.unavailable?.();
  if (reason !== undefined) {
    failed = true;
    const line = { suite: 'drill', case: scenario.name, pass: false, skipped: reason };
    if (json) process.stdout.write(`${JSON.stringify(line)}\n`);
    else process.stderr.write(`${scenario.name}: cannot run here: ${reason}\n`);
    continue;
  }
  if (!json) process.stderr.write(`${scenario.name}: ${scenario.description}\n`);
  const dir = mkdtempSync(join(tmpdir(), `sluice-drill-${scenario.name}-`));
  const started = performance.now();
  let result: DrillResult;
  try {
    result = await scenario.run({ quick, dir });
  } catch (error) {
    result = {
      items: 0,
      completed: 0,
      lost: 0,
      duplicates: 0,
      executions: 0,
      recovery_s: -1,
      pass: false,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  if (!result.pass) failed = true;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ suite: 'drill', case: scenario.name, ...result, seconds })}\n`,
    );
  }
  rows.push({ scenario: scenario.name, ...result, seconds });
}
if (!json) console.table(rows);
process.exit(failed ? 1 : 0);
