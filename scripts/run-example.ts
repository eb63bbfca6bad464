/**
 * `npm run example -- <name> [args...]`: runs examples/<name>/main.ts with the rest of the
 * arguments. Lists the examples when the name is missing or unknown (exit 2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../examples/', import.meta.url));
const examples = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${root}${entry.name}/main.ts`))
  .map((entry) => entry.name)
  .sort();
const [name, ...args] = process.argv.slice(2);
if (name === undefined || !examples.includes(name)) {
  process.stderr.write(
    `${name === undefined ? '' : `unknown example: ${name}\n`}usage: npm run example -- <name> [args...]\nexamples: ${examples.join(', ')}\n`,
  );
  process.exit(2);
}
const run = spawnSync(process.execPath, ['--import', 'tsx', `${root}${name}/main.ts`, ...args], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
