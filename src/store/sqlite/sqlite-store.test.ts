import { describeSqlite } from '../../testing/vitest/index.js';
import { storeContract } from '../store.contract.js';
import { createSqliteStore } from './sqlite-store.js';

describeSqlite('sqlite store', (sqlite) => {
  storeContract('sqlite', () => createSqliteStore({ path: sqlite().path }));
});
