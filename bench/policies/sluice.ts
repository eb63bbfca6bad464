/** The `policies` benchmark's child for sluice: `node --expose-gc --import tsx bench/policies/sluice.ts`. */
import {
  breakerRegistry,
  bulkhead,
  circuitBreaker,
  compose,
  rateLimiter,
  retry,
  timeout,
  type CircuitBreakerOptions,
} from '../../src/policies/index.js';
import { config, cycle, failing, hanging, runChild, work } from './harness.js';

const breakerOptions = (openDurationMs: number): CircuitBreakerOptions => ({
  window: { kind: 'count', size: config.breaker.windowSize },
  failureRateThreshold: config.breaker.failureRate,
  minimumCalls: config.breaker.minimumCalls,
  openDurationMs,
});
const newRetry = () => retry({ maxAttempts: config.retryMaxAttempts });
const newBreaker = () => circuitBreaker(breakerOptions(config.breaker.openMs));
const newTimeout = () => timeout(config.timeoutMs);
const newBulkhead = () => bulkhead(config.bulkhead.maxConcurrent, config.bulkhead.maxQueued);

const retryPolicy = newRetry();
const breaker = newBreaker();
const timeoutPolicy = newTimeout();
const bulkheadPolicy = newBulkhead();
const limiter = rateLimiter({ ratePerSecond: config.limiterPerSecond });
const composed = compose(newRetry(), newBreaker(), newTimeout(), newBulkhead());

const open = circuitBreaker(breakerOptions(config.fastFailOpenMs));
for (let i = 0; i < config.breaker.minimumCalls; i++) await open.execute(failing).catch(() => {});
if (open.state !== 'OPEN') throw new Error(`sluice breaker did not open: ${open.state}`);

// Every slot and queue place taken by calls that never end.
const full = newBulkhead();
const { maxConcurrent, maxQueued } = config.bulkhead;
for (let i = 0; i < maxConcurrent + maxQueued; i++) void full.execute(hanging);

// Its one token taken; the next would come in 1000 s, far past maxWaitMs.
const exhausted = rateLimiter({ ratePerSecond: config.exhaustedPerSecond, burst: 1, maxWaitMs: 0 });
await exhausted.execute(work);

// One breaker per host, looked up on every call the way the HTTP client does.
const hosts = config.keyedHosts;
const keyed = breakerRegistry({ breaker: breakerOptions(config.breaker.openMs) });
const openKeyed = breakerRegistry({ breaker: breakerOptions(config.fastFailOpenMs) });
for (const host of hosts) {
  await keyed.execute('service', host, work);
  for (let i = 0; i < config.breaker.minimumCalls; i++) {
    await openKeyed.execute('service', host, failing).catch(() => {});
  }
}
if (openKeyed.stats('service').states.OPEN !== hosts.length) throw new Error('keyed did not open');
const nextHost = cycle(hosts);
const nextOpenHost = cycle(hosts);

await runChild({
  lib: 'sluice',
  cases: {
    retry: () => retryPolicy.execute(work),
    breaker: () => breaker.execute(work),
    timeout: () => timeoutPolicy.execute(work),
    bulkhead: () => bulkheadPolicy.execute(work),
    limiter: () => limiter.execute(work),
    composed: () => composed.execute(work),
    open_fast_fail: () => open.execute(work),
    bulkhead_full: () => full.execute(work),
    limiter_exhausted: () => exhausted.execute(work),
    keyed_breaker: () => keyed.execute('service', nextHost(), work),
    keyed_open_fast_fail: () => openKeyed.execute('service', nextOpenHost(), work),
  },
  async keyed(keys) {
    const registry = breakerRegistry({
      breaker: breakerOptions(config.breaker.openMs),
      maxKeysPerService: keys.length,
    });
    for (const key of keys) await registry.for('service', key).execute(work);
    return { hold: registry };
  },
});
