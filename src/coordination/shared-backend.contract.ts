import { setTimeout as delay } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { isBreakerOpenError, isInvalidConfigError } from '../errors/index.js';
import type { SharedStateBackend } from './shared-backend.js';
import { SharedCircuitBreaker } from './shared-circuit-breaker.js';
import { SharedRateLimiter } from './shared-rate-limiter.js';
import type { SharedStateLink } from './shared-state-link.js';

/** One fleet member: its own connection, backend and link, as a separate worker would have. */
export type MemberFactory = () => Promise<{ link: SharedStateLink; backend: SharedStateBackend }>;

/**
 * What every shared-state backend must do, run against each (redis/, postgres/) inside its
 * describe block; `member` gives a fresh member on the same shared state, closed by the caller.
 */
export function sharedBackendContract(member: MemberFactory): void {
  it('GCRA admits the burst at once, then tells how long until the next unit fits', async () => {
    const { backend } = await member();
    const rule = { ratePerSecond: 10, burst: 2 };
    expect(await backend.take('gcra', 1, rule)).toBe(0);
    expect(await backend.take('gcra', 1, rule)).toBe(0);
    const wait = await backend.take('gcra', 1, rule);
    expect(wait).toBeGreaterThan(50);
    expect(wait).toBeLessThanOrEqual(100);
    // A refused take takes nothing: asking again gives no longer a wait.
    expect(await backend.take('gcra', 1, rule)).toBeLessThanOrEqual(wait);
  });

  it('three members sharing a limit never exceed it together', async () => {
    const members = await Promise.all([member(), member(), member()]);
    const limiters = members.map(
      ({ link }) => new SharedRateLimiter({ link, name: 'fleet', ratePerSecond: 100, burst: 5 }),
    );
    const admitted: number[] = [];
    const start = performance.now();
    await Promise.all(
      limiters.flatMap((limiter) =>
        Array.from({ length: 40 }, () =>
          limiter.acquire('api').then(() => admitted.push(performance.now() - start)),
        ),
      ),
    );
    limiters.forEach((limiter) => limiter.close());
    expect(admitted).toHaveLength(120);
    // GCRA at 100/s with a burst of 5: the n-th admission cannot come before (n - 5) * 10 ms.
    admitted.sort((a, b) => a - b);
    admitted.forEach((at, n) => expect(at).toBeGreaterThanOrEqual((n + 1 - 5) * 10 - 5));
    expect(limiters[0]!.members).toBe(3);
  });

  it('refuses a cost above the burst, naming the field', async () => {
    const { link } = await member();
    const limiter = new SharedRateLimiter({ link, name: 'x', ratePerSecond: 10, burst: 2 });
    const error: unknown = await limiter.acquire('k', 3).catch((e: unknown) => e);
    expect(isInvalidConfigError(error) && error.field).toBe('cost');
    expect(() => new SharedRateLimiter({ link, name: '', ratePerSecond: 1 })).toThrow(/name/);
    expect(() => new SharedRateLimiter({ link, name: 'y', ratePerSecond: 0 })).toThrow(
      /sharedRateLimit.ratePerSecond must be a finite number > 0/,
    );
  });

  it("one member's failures open the breaker for every member, pushed at once", async () => {
    const [a, b] = await Promise.all([member(), member()]);
    const options = { name: 'svc:host', minimumCalls: 4, failureRateThreshold: 0.5 };
    const breakerA = new SharedCircuitBreaker({ ...options, link: a.link });
    const breakerB = new SharedCircuitBreaker({ ...options, link: b.link });
    await breakerB.ready();
    const openedAtB = new Promise<void>((resolve) =>
      breakerB.onStateChange((change) => change.to === 'open' && resolve()),
    );
    const fail = () => Promise.reject(new Error('ECONNRESET'));
    for (let i = 0; i < 4; i++) await breakerA.execute(fail).catch(() => {});
    await openedAtB;
    expect(breakerB.state).toBe('OPEN');
    let ran = false;
    const error: unknown = await breakerB.execute(() => (ran = true)).catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(isBreakerOpenError(error) && error.retryAfterMs).toBeGreaterThan(0);
    await breakerA.close();
    await breakerB.close();
  });

  it('a half-open round admits exactly the permits across all members', async () => {
    const members = await Promise.all([member(), member(), member()]);
    const options = {
      name: 'probe-test',
      openDurationMs: 60_000,
      halfOpen: { permits: 2, successThreshold: 2 },
    };
    const breakers = members.map(({ link }) => new SharedCircuitBreaker({ ...options, link }));
    await Promise.all(breakers.map((breaker) => breaker.ready()));
    await breakers[0]!.trip(30);
    // The open time runs on the Redis server's clock, which a fake timer cannot move.
    await delay(60);
    let probes = 0;
    let refused = 0;
    let release!: () => void;
    const upstream = new Promise<void>((resolve) => (release = resolve));
    // The probes hang until every call has been admitted or refused: only then is the count
    // of probes the round's, not the closed breaker's afterwards.
    let decided!: () => void;
    const allDecided = new Promise<void>((resolve) => (decided = resolve));
    const check = () => probes + refused === 30 && decided();
    const calls = breakers.flatMap((breaker) =>
      Array.from({ length: 10 }, () =>
        breaker
          .execute(async () => {
            probes++;
            check();
            await upstream;
          })
          .catch((error: unknown) => {
            refused++;
            check();
            throw error;
          }),
      ),
    );
    const settled = Promise.allSettled(calls);
    await allDecided;
    release();
    const results = await settled;
    expect(probes).toBe(2);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.every((r) => isBreakerOpenError(r.reason))).toBe(true);
    // Both probes were healthy: the fleet's breaker closed.
    await breakers[2]!.refresh();
    expect(breakers[2]!.state).toBe('CLOSED');
    await Promise.all(breakers.map((breaker) => breaker.close()));
  });
}
