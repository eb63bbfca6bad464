/**
 * The `policies` benchmark's child for opossum 9: `node --expose-gc --import tsx
 * bench/policies/opossum.ts`. Opossum is a circuit breaker with a built-in timeout and no
 * separate retry, timeout, bulkhead or limiter, so its `breaker` and `composed` cases are the
 * same thing (its breaker with its `timeout` option), measured once and reported under both.
 */
import CircuitBreaker, { type Options } from 'opossum';
import { config, failing, runChild, work } from './harness.js';

const options = (resetTimeout: number): Options => ({
  timeout: config.timeoutMs,
  errorThresholdPercentage: config.breaker.failureRate * 100,
  volumeThreshold: config.breaker.minimumCalls,
  resetTimeout,
  // Latency percentiles are extra work the other libraries do not do on each call.
  rollingPercentilesEnabled: false,
});

const breaker = new CircuitBreaker(work, options(config.breaker.openMs));
const open = new CircuitBreaker(failing, options(config.fastFailOpenMs));
for (let i = 0; i < config.breaker.minimumCalls; i++) await open.fire().catch(() => {});
if (!open.opened) throw new Error('opossum breaker did not open');

await runChild({
  lib: 'opossum',
  cases: {
    breaker: () => breaker.fire(),
    open_fast_fail: () => open.fire(),
  },
  aliases: { composed: 'breaker' },
  // opossum has no keyed registry: a Map of breakers is what a user would write.
  async keyed(keys) {
    const breakers = new Map<string, CircuitBreaker>();
    for (const key of keys) {
      const keyed = new CircuitBreaker(work, options(config.breaker.openMs));
      breakers.set(key, keyed);
      await keyed.fire();
    }
    return { hold: breakers, dispose: () => breakers.forEach((b) => b.shutdown()) };
  },
});
breaker.shutdown();
open.shutdown();
