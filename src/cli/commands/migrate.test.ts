import { expect, it } from 'vitest';
import { sqliteMigrations } from '../../store/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import { cliOutput } from '../../../test/support/cli-harness.js';

describeSqlite('sluice migrate', (sqlite) => {
  it('creates a database (and its folder) that the operator verbs then accept', async () => {
    const path = `${sqlite().dir}/new/sluice.db`;
    expect(await cliOutput(['migrate', '--db', path])).toBe(
      `${path}: schema version ${sqliteMigrations.length}\n`,
    );
    expect(await cliOutput(['runs', '--db', path])).toBe(`no runs in ${path} match\n`);
  });
});
