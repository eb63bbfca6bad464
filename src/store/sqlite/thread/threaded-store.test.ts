import { describeSqlite } from '../../../testing/vitest/index.js';
import { storeContract } from '../../store.contract.js';
import { createSqliteStore } from '../sqlite-store.js';

describeSqlite('sqlite store on its own thread', (sqlite) => {
  storeContract('sqlite (thread)', () => createSqliteStore({ path: sqlite().path, thread: true }));
});
