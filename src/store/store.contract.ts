import { describe } from 'vitest';
import { concurrencyContract } from './contract/concurrency.contract.js';
import { contractContext } from './contract/context.contract.js';
import { failuresContract } from './contract/failures.contract.js';
import { fencingContract } from './contract/fencing.contract.js';
import { leasesContract } from './contract/leases.contract.js';
import { modelContract } from './contract/model.contract.js';
import { pruneContract } from './contract/prune.contract.js';
import { runsContract } from './contract/runs.contract.js';
import { seedAndClaimContract } from './contract/seed-claim.contract.js';
import { stateContract } from './contract/state.contract.js';
import { workersContract } from './contract/workers.contract.js';
import type { Store } from './store.js';

/**
 * The contract every Store backend must pass, as vitest tests: call it from the backend's test
 * file. `makeStore` opens a NEW store (a new connection) on ONE shared database each time it is
 * called; the tests isolate themselves with fresh run IDs, open a second store where they test
 * two connections, and close every store they opened after each test.
 *
 * Not part of the package build (*.contract.ts is excluded): it needs vitest and fast-check.
 */
export function storeContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    const ctx = contractContext(makeStore);
    runsContract(ctx);
    seedAndClaimContract(ctx);
    fencingContract(ctx);
    leasesContract(ctx);
    failuresContract(ctx);
    stateContract(ctx);
    concurrencyContract(ctx);
    modelContract(ctx);
    workersContract(ctx);
    pruneContract(ctx);
  });
}
