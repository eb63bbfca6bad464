// Installs the benchmark's peer libraries (bench/package.json: BullMQ, pg-boss, graphile-worker,
// cockatiel, opossum...) before `npm run bench`, so a plain `npm ci` of the package stays lean.
// Reinstalls only when bench/package-lock.json changed since the last install.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

const stamp = statSync('bench/node_modules/.package-lock.json', { throwIfNoEntry: false });
const lock = statSync('bench/package-lock.json');
if (stamp === undefined || stamp.mtimeMs < lock.mtimeMs) {
  console.error('bench: installing the peer libraries (npm ci --prefix bench)');
  execFileSync('npm', ['ci', '--prefix', 'bench', '--no-audit', '--no-fund', '--loglevel=error'], {
    stdio: 'inherit',
  });
}
