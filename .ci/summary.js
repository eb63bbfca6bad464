// Prints `tests: N passed, N failed` from vitest's JSON report: the last line of every CI run.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/vitest.json';
if (!existsSync(file)) {
  console.log('tests: 0 passed, 0 failed (no vitest report: the run stopped before the tests)');
  process.exit(0);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
