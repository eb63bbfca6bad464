/**
 * The single entry to benchmarks: `npm run bench -- <suite> [--json] [--quick]`.
 * With --json every result is one JSON object per line; otherwise a table at the end.
 * Peers (cockatiel, opossum, BullMQ, pg-boss, graphile-worker) live in bench/package.json:
 * run `npm ci --prefix bench` once before comparing against them.
 */
import type { BenchRecord } from './suite.js';
import { suites } from './suites/index.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const names = args.filter((arg) => !arg.startsWith('--'));
const available = Object.keys(suites).sort();

if (names.length === 0 || names.some((name) => !(name in suites))) {
  const unknown = names.filter((name) => !(name in suites));
  process.stderr.write(
    `${unknown.length ? `unknown suite: ${unknown.join(', ')}\n` : ''}usage: npm run bench -- <suite> [--json] [--quick]\n` +
      `suites: ${available.length ? available.join(', ') : '(none yet)'}\n`,
  );
  process.exit(2);
}

const records: BenchRecord[] = [];
for (const name of names) {
  const suite = await suites[name]!();
  if (!json) process.stderr.write(`${name}: ${suite.description}\n`);
  await suite.run(
    (record) => {
      records.push(record);
      if (json) process.stdout.write(`${JSON.stringify(record)}\n`);
    },
    { scale: quick ? 0.1 : 1 },
  );
}
if (!json) {
  // Settings lines (`case: 'config'`) would make the table unreadably wide: list them first.
  for (const { lib, for_case: forCase, config } of records.filter((r) => r.case === 'config')) {
    process.stdout.write(`config ${lib} ${String(forCase)}: ${String(config)}\n`);
  }
  console.table(records.filter((record) => record.case !== 'config'));
}
