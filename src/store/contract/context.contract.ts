import { afterEach, beforeEach, expect } from 'vitest';
import { isInvalidConfigError } from '../../errors/index.js';
import type { ClaimedItem, Outcome, SeedItem, Store } from '../store.js';

/**
 * What every contract test gets: a store opened before each test (more on demand, all closed
 * after it), fresh run IDs so tests sharing one database never see each other's items, and the
 * few helpers the tests keep needing.
 */
export interface ContractContext {
  /** The store opened for the current test. */
  store(): Store;
  /** Another store on the same database (another connection). */
  open(): Promise<Store>;
  /** Creates a run with a unique ID at `now` and returns the ID. */
  newRun(store?: Store, now?: number): Promise<string>;
}

let runCounter = 0;
const runPrefix = `contract-${process.pid}-${Date.now().toString(36)}`;

export function contractContext(makeStore: () => Promise<Store>): ContractContext {
  const opened: Store[] = [];
  let current: Store | undefined;
  const open = async () => {
    const store = await makeStore();
    opened.push(store);
    return store;
  };
  beforeEach(async () => {
    current = await open();
  });
  afterEach(async () => {
    current = undefined;
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  const store = () => {
    if (current === undefined) throw new Error('the contract store exists only inside tests');
    return current;
  };
  return {
    store,
    open,
    async newRun(s = store(), now = 1_000) {
      const id = `${runPrefix}-${++runCounter}`;
      await s.createRun({ id, pipeline: 'contract', pipelineVersion: '1' }, now);
      return id;
    },
  };
}

/** `count` items `item-0`... with input `{ n }`. */
export function items(count: number, extra: Partial<SeedItem> = {}): SeedItem[] {
  return Array.from({ length: count }, (_, n) => ({ id: `item-${n}`, input: { n }, ...extra }));
}

export const leaseMs = 1_000;

export function claim(
  store: Store,
  runId: string,
  now: number,
  options: { stage?: string; owner?: string; limit?: number; leaseMs?: number } = {},
): Promise<ClaimedItem[]> {
  return store.claim({
    runId,
    stage: options.stage ?? 'fetch',
    owner: options.owner ?? 'worker-a',
    limit: options.limit ?? 100,
    leaseMs: options.leaseMs ?? leaseMs,
    now,
  });
}

export const complete = (lease: ClaimedItem, output: unknown = { ok: lease.id }): Outcome => ({
  kind: 'complete',
  lease,
  output,
});

/** Asserts that `action` fails with an InvalidConfigError whose field is `field`. */
export async function expectInvalid(
  action: () => Promise<unknown>,
  field: string,
  message?: string | RegExp,
): Promise<void> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(isInvalidConfigError(caught), `expected InvalidConfigError, got ${String(caught)}`).toBe(
    true,
  );
  if (isInvalidConfigError(caught)) {
    expect(caught.field).toBe(field);
    if (message !== undefined) expect(caught.message).toMatch(message);
  }
}
