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
import { config, failing, runChild, work } from './harness.js';

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
