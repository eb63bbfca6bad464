/** The `policies` benchmark's child for cockatiel 3: `node --expose-gc --import tsx bench/policies/cockatiel.ts`. */
import {
  bulkhead,
  circuitBreaker,
  CircuitState,
  CountBreaker,
  ExponentialBackoff,
  handleAll,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { config, cycle, failing, hanging, runChild, work } from './harness.js';

const newBreaker = (halfOpenAfter: number) =>
  circuitBreaker(handleAll, {
    halfOpenAfter,
    breaker: new CountBreaker({
      threshold: config.breaker.failureRate,
      size: config.breaker.windowSize,
      minimumNumberOfCalls: config.breaker.minimumCalls,
    }),
  });
const newRetry = () =>
  retry(handleAll, { maxAttempts: config.retryMaxAttempts, backoff: new ExponentialBackoff() });
const newTimeout = () => timeout(config.timeoutMs, TimeoutStrategy.Cooperative);
const newBulkhead = () => bulkhead(config.bulkhead.maxConcurrent, config.bulkhead.maxQueued);

const retryPolicy = newRetry();
const breaker = newBreaker(config.breaker.openMs);
const timeoutPolicy = newTimeout();
const bulkheadPolicy = newBulkhead();
const composed = wrap(newRetry(), newBreaker(config.breaker.openMs), newTimeout(), newBulkhead());

const open = newBreaker(config.fastFailOpenMs);
for (let i = 0; i < config.breaker.minimumCalls; i++) await open.execute(failing).catch(() => {});
if (open.state !== CircuitState.Open)
  throw new Error(`cockatiel breaker did not open: ${open.state}`);

// Every slot and queue place taken by calls that never end.
const full = newBulkhead();
const { maxConcurrent, maxQueued } = config.bulkhead;
for (let i = 0; i < maxConcurrent + maxQueued; i++) void full.execute(hanging);

// cockatiel has no keyed registry: a Map of breakers per host is what a user would write.
const hosts = config.keyedHosts;
const keyed = new Map(hosts.map((host) => [host, newBreaker(config.breaker.openMs)]));
const openKeyed = new Map(hosts.map((host) => [host, newBreaker(config.fastFailOpenMs)]));
for (const host of hosts) {
  await keyed.get(host)!.execute(work);
  for (let i = 0; i < config.breaker.minimumCalls; i++) {
    await openKeyed
      .get(host)!
      .execute(failing)
      .catch(() => {});
  }
  if (openKeyed.get(host)!.state !== CircuitState.Open) throw new Error('keyed did not open');
}
const nextHost = cycle(hosts);
const nextOpenHost = cycle(hosts);

await runChild({
  lib: 'cockatiel',
  cases: {
    retry: () => retryPolicy.execute(work),
    breaker: () => breaker.execute(work),
    timeout: () => timeoutPolicy.execute(work),
    bulkhead: () => bulkheadPolicy.execute(work),
    composed: () => composed.execute(work),
    open_fast_fail: () => open.execute(work),
    bulkhead_full: () => full.execute(work),
    keyed_breaker: () => keyed.get(nextHost())!.execute(work),
    keyed_open_fast_fail: () => openKeyed.get(nextOpenHost())!.execute(work),
  },
  // cockatiel has no keyed registry: a Map of breakers is what a user would write.
  async keyed(keys) {
    const breakers = new Map<string, ReturnType<typeof newBreaker>>();
    for (const key of keys) {
      const keyed = newBreaker(config.breaker.openMs);
      breakers.set(key, keyed);
      await keyed.execute(work);
    }
    return { hold: breakers };
  },
});
