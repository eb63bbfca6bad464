import { createPostgresStore } from '../src/store/postgres/index.js';
import { createSqliteStore } from '../src/store/sqlite/index.js';
import { storeContract } from '../src/store/store.contract.js';
import type { Store } from '../src/store/store.js';
import { describePostgres, describeSqlite } from '../src/testing/vitest/index.js';

/**
 * The one store contract, run against every backend from this one list (Kysely style): a new
 * backend is one more entry here. Each entry opens a NEW store (a new connection or pool) on ONE
 * database per suite: a temp SQLite file, or a PostgreSQL schema of this file's own.
 */
interface Backend {
  readonly name: string;
  readonly suite: (name: string, body: (open: () => Promise<Store>) => void) => void;
}

const backends: readonly Backend[] = [
  {
    name: 'sqlite',
    suite: (name, body) =>
      describeSqlite(name, (sqlite) => body(() => createSqliteStore({ path: sqlite().path }))),
  },
  {
    name: 'postgres',
    suite: (name, body) =>
      describePostgres(name, (postgres) =>
        body(() =>
          createPostgresStore({ url: postgres().url, schema: postgres().schema, poolSize: 4 }),
        ),
      ),
  },
];

for (const backend of backends) {
  backend.suite(`${backend.name} store`, (open) => storeContract(backend.name, open));
}
