/**
 * The `policies` benchmark's child for opossum 9: `node --expose-gc --import tsx
 * bench/policies/opossum.ts`. Opossum is a circuit breaker with a built-in timeout and no
 * separate retry, timeout, bulkhead or limiter, so its `breaker` and `composed` cases are the
 * same thing (its breaker with its `timeout` option), measured once and reported under both.
 */
import CircuitBreaker, { type Options } from 'opossum';
import { config, cycle, failing, hanging, runChild, work } from './harness.js';

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

// opossum's bulkhead is its `capacity` (concurrent calls through one breaker): taken by one
// call that never ends, with no timeout to free it.
const full = new CircuitBreaker(hanging, {
  ...options(config.breaker.openMs),
  timeout: false,
  capacity: 1,
});
void full.fire();

// opossum has no keyed registry: a Map of breakers per host is what a user would write.
const hosts = config.keyedHosts;
const keyed = new Map(
  hosts.map((host) => [host, new CircuitBreaker(work, options(config.breaker.openMs))]),
);
const openKeyed = new Map(
  hosts.map((host) => [host, new CircuitBreaker(failing, options(config.fastFailOpenMs))]),
);
for (const host of hosts) {
  await keyed.get(host)!.fire();
  for (let i = 0; i < config.breaker.minimumCalls; i++)
    await openKeyed
      .get(host)!
      .fire()
      .catch(() => {});
  if (!openKeyed.get(host)!.opened) throw new Error('opossum keyed breaker did not open');
}
const nextHost = cycle(hosts);
const nextOpenHost = cycle(hosts);

await runChild({
  lib: 'opossum',
  cases: {
    breaker: () => breaker.fire(),
    open_fast_fail: () => open.fire(),
    bulkhead_full: () => full.fire(),
    keyed_breaker: () => keyed.get(nextHost())!.fire(),
    keyed_open_fast_fail: () => openKeyed.get(nextOpenHost())!.fire(),
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
full.shutdown();
for (const b of [...keyed.values(), ...openKeyed.values()]) b.shutdown();
