import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyItemEvent, type ItemEvent, type ItemState } from '../item-state.js';
import type { ClaimedItem, Outcome, OutcomeKind, Store } from '../store.js';
import type { ContractContext } from './context.contract.js';

/**
 * Model-based property test: random sequences of claim / commit / heartbeat / reclaim / reset /
 * time steps run against the store and against a tiny in-memory model built on the pure state
 * machine. After every step the store must agree with the model on what each call returned and
 * on every item's state, attempts and lease. Together this checks that no item is lost, none is
 * completed twice, fencing rejects exactly the stale writes, and counts always add up.
 */
interface ModelItem {
  readonly id: string;
  readonly seq: number;
  readonly priority: number;
  state: ItemState;
  attempts: number;
  availableAt: number;
  owner: string | null;
  token: string | null;
  expiresAt: number | null;
  output: unknown;
}

type Step =
  | { op: 'claim'; owner: number; limit: number; leaseMs: number }
  | { op: 'commit'; picks: { lease: number; kind: OutcomeKind; delay: number }[] }
  | { op: 'heartbeat'; owner: number; leases: number[]; leaseMs: number }
  | { op: 'reclaim'; limit: number }
  | { op: 'reset' }
  | { op: 'retryDead' }
  | { op: 'cancel' }
  | { op: 'tick'; ms: number };

const kinds: OutcomeKind[] = ['complete', 'retry', 'dead', 'skip', 'release', 'checkpoint'];
const eventOf: Record<Exclude<OutcomeKind, 'checkpoint'>, ItemEvent> = {
  complete: 'complete',
  retry: 'retry',
  dead: 'dead',
  skip: 'skip',
  release: 'release',
};

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      op: fc.constant('claim' as const),
      owner: fc.integer({ min: 0, max: 2 }),
      limit: fc.integer({ min: 1, max: 4 }),
      leaseMs: fc.integer({ min: 1, max: 60 }),
    }),
  },
  {
    weight: 15,
    arbitrary: fc.record({
      op: fc.constant('commit' as const),
      picks: fc.array(
        fc.record({
          lease: fc.nat(),
          kind: fc.constantFrom(...kinds),
          delay: fc.integer({ min: 0, max: 40 }),
        }),
        { minLength: 1, maxLength: 5 },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('heartbeat' as const),
      owner: fc.integer({ min: 0, max: 2 }),
      leases: fc.array(fc.nat(), { maxLength: 4 }),
      leaseMs: fc.integer({ min: 1, max: 60 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('reclaim' as const),
      limit: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ op: 'reset' as const }) },
  { weight: 3, arbitrary: fc.constant({ op: 'retryDead' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'cancel' as const }) },
  {
    weight: 9,
    arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 50 }) }),
  },
);

const seedArb = fc.array(
  fc.record({ priority: fc.integer({ min: -1, max: 2 }), delay: fc.integer({ min: 0, max: 30 }) }),
  { minLength: 1, maxLength: 10 },
);

async function run(
  store: Store,
  runId: string,
  seed: { priority: number; delay: number }[],
  steps: Step[],
): Promise<void> {
  let now = 1_000;
  let outputCounter = 0;
  const model = seed.map((s, seq): ModelItem => ({
    id: `i${seq}`,
    seq,
    priority: s.priority,
    state: 'pending',
    attempts: 0,
    availableAt: now + s.delay,
    owner: null,
    token: null,
    expiresAt: null,
    output: undefined,
  }));
  const byId = new Map(model.map((m) => [m.id, m]));
  await store.seedItems(
    runId,
    'fetch',
    model.map((m) => ({
      id: m.id,
      input: m.seq,
      priority: m.priority,
      availableAt: m.availableAt,
    })),
    now,
  );
  const leases: ClaimedItem[] = [];
  const clearLease = (m: ModelItem) => {
    m.owner = null;
    m.token = null;
    m.expiresAt = null;
  };
  const holds = (m: ModelItem, l: { owner: string; token: string }) =>
    m.state === 'leased' && m.owner === l.owner && m.token === l.token;

  for (const step of steps) {
    switch (step.op) {
      case 'tick':
        now += step.ms;
        break;
      case 'claim': {
        const owner = `w${step.owner}`;
        const expected = model
          .filter(
            (m) => (m.state === 'pending' || m.state === 'retry_wait') && m.availableAt <= now,
          )
          .sort((a, b) => b.priority - a.priority || a.availableAt - b.availableAt || a.seq - b.seq)
          .slice(0, step.limit);
        const claimed = await store.claim({
          runId,
          stage: 'fetch',
          owner,
          limit: step.limit,
          leaseMs: step.leaseMs,
          now,
        });
        expect(claimed.map((c) => c.id)).toEqual(expected.map((m) => m.id));
        for (const c of claimed) {
          const m = byId.get(c.id)!;
          expect(c.attempt).toBe(m.attempts + 1);
          m.state = applyItemEvent(m.state, 'claim');
          m.owner = owner;
          m.token = c.token;
          m.expiresAt = now + step.leaseMs;
          leases.push(c);
        }
        break;
      }
      case 'commit': {
        if (leases.length === 0) break;
        const outcomes: Outcome[] = step.picks.map(({ lease: pick, kind, delay }) => {
          const lease = leases[pick % leases.length]!;
          switch (kind) {
            case 'complete':
              return { kind, lease, output: ++outputCounter };
            case 'retry':
              return {
                kind,
                lease,
                availableAt: now + delay,
                error: 'e',
                category: 'recoverable',
                delayMs: delay,
              };
            case 'dead':
              return { kind, lease, error: 'e', category: 'non_recoverable' };
            case 'skip':
              return { kind, lease, reason: 'r' };
            case 'release':
              return { kind, lease };
            case 'checkpoint':
              return { kind, lease, state: { at: now } };
          }
        });
        let applied = 0;
        const fenced: ClaimedItem[] = [];
        for (const o of outcomes) {
          const m = byId.get(o.lease.id)!;
          if (!holds(m, o.lease)) {
            fenced.push(o.lease as ClaimedItem);
            continue;
          }
          applied++;
          if (o.kind === 'checkpoint') continue;
          m.state = applyItemEvent(m.state, eventOf[o.kind]);
          if (o.kind !== 'release') m.attempts++;
          if (o.kind === 'retry') m.availableAt = o.availableAt;
          if (o.kind === 'complete') {
            expect(m.output).toBeUndefined(); // completed at most once, by construction of the model
            m.output = o.output;
          }
          clearLease(m);
        }
        expect(await store.commit(outcomes, now)).toEqual({ applied, fenced });
        break;
      }
      case 'heartbeat': {
        const owner = `w${step.owner}`;
        const chosen =
          leases.length === 0 ? [] : step.leases.map((i) => leases[i % leases.length]!);
        let extended = 0;
        for (const lease of chosen) {
          const m = byId.get(lease.id)!;
          if (holds(m, { owner, token: lease.token })) {
            m.expiresAt = now + step.leaseMs;
            extended++;
          }
        }
        expect(await store.heartbeat(owner, chosen, step.leaseMs, now)).toBe(extended);
        break;
      }
      case 'reclaim': {
        const expired = model
          .filter((m) => m.state === 'leased' && m.expiresAt! <= now)
          .sort((a, b) => a.expiresAt! - b.expiresAt! || a.seq - b.seq)
          .slice(0, step.limit);
        for (const m of expired) {
          m.state = applyItemEvent(m.state, 'reclaim');
          m.attempts++;
          clearLease(m);
        }
        expect(await store.reclaimExpired(now, step.limit, { runId })).toBe(expired.length);
        break;
      }
      case 'cancel': {
        const skipped = model.filter((m) => m.state === 'pending' || m.state === 'retry_wait');
        for (const m of skipped) m.state = applyItemEvent(m.state, 'cancel');
        expect(await store.cancelRun(runId, now)).toBe(skipped.length);
        break;
      }
      case 'reset':
      case 'retryDead': {
        const event: ItemEvent = step.op === 'reset' ? 'resetFailed' : 'retryDeadLetter';
        const from: ItemState[] = step.op === 'reset' ? ['retry_wait', 'dead'] : ['dead'];
        const revived = model.filter((m) => from.includes(m.state));
        for (const m of revived) {
          m.state = applyItemEvent(m.state, event);
          m.attempts = 0;
          m.availableAt = now;
        }
        const n =
          step.op === 'reset'
            ? await store.resetFailed(runId, {}, now)
            : await store.retryDeadLetters({ runId }, now);
        expect(n).toBe(revived.length);
        break;
      }
    }
    // After every step: the store holds exactly the model's items, in the model's states.
    const stored = (await store.listItems({ runId }, { limit: 1_000 })).items;
    expect(
      stored.map((i) => ({
        id: i.id,
        state: i.state,
        attempts: i.attempts,
        availableAt: i.availableAt,
        leaseOwner: i.leaseOwner,
        leaseExpiresAt: i.leaseExpiresAt,
        output: i.output,
      })),
    ).toEqual(
      [...model]
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((m) => ({
          id: m.id,
          state: m.state,
          attempts: m.attempts,
          availableAt: m.availableAt,
          leaseOwner: m.owner,
          leaseExpiresAt: m.expiresAt,
          output: m.output,
        })),
    );
    const counts = (await store.counts(runId)).fetch!;
    const states: ItemState[] = ['pending', 'leased', 'completed', 'retry_wait', 'dead', 'skipped'];
    expect(states.reduce((sum, s) => sum + counts[s], 0)).toBe(model.length);
    expect(counts.total).toBe(model.length);
    for (const s of states) expect(counts[s]).toBe(model.filter((m) => m.state === s).length);
    const claimable = model.filter((m) => m.state === 'pending' || m.state === 'retry_wait');
    expect(await store.nextAvailableAt(runId, 'fetch')).toBe(
      claimable.length === 0 ? undefined : Math.min(...claimable.map((m) => m.availableAt)),
    );
  }
}

export function modelContract(ctx: ContractContext): void {
  describe('against a model', () => {
    it('agrees with the state machine model on random operation sequences', async () => {
      const store = ctx.store();
      await fc.assert(
        fc.asyncProperty(
          seedArb,
          fc.array(stepArb, { minLength: 1, maxLength: 40 }),
          async (seed, steps) => {
            const runId = await ctx.newRun(store);
            await run(store, runId, seed, steps);
          },
        ),
        { numRuns: 150 },
      );
    }, 120_000);
  });
}
