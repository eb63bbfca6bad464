/**
 * Why: the process that runs a pipeline holds its breakers in BreakerRegistry objects (one per
 * service, src/runtime's ServicePolicy). This adapts them to the server's BreakerControl so
 * GET /breakers shows the live state and POST .../reset closes the real breaker, with the last
 * transition time tracked from the breakers' own state-change events.
 */
import type { BreakerRegistry, CircuitBreaker } from '../policies/index.js';
import type { BreakerControl, BreakerView } from './control.js';

export interface BreakerSource {
  readonly service: string;
  readonly registry: BreakerRegistry;
}

export function breakerControl(
  sources: () => Iterable<BreakerSource>,
  now: () => number = Date.now,
): BreakerControl {
  const transitions = new WeakMap<CircuitBreaker, number>();
  const watched = new WeakSet<CircuitBreaker>();
  const watch = (breaker: CircuitBreaker) => {
    if (watched.has(breaker)) return;
    watched.add(breaker);
    breaker.onStateChange(() => transitions.set(breaker, now()));
  };
  const find = (service: string, key: string) => {
    for (const source of sources()) {
      for (const [k, breaker] of source.registry.entries(service)) {
        if (source.service === service && k === key) return breaker;
      }
    }
    return undefined;
  };
  return {
    list: () => {
      const views: BreakerView[] = [];
      for (const { service, registry } of sources()) {
        for (const [key, breaker] of registry.entries(service)) {
          watch(breaker);
          const window = breaker.metrics();
          const snapshot = breaker.toJSON();
          views.push({
            service,
            key,
            state: breaker.state.toLowerCase() as BreakerView['state'],
            failureRate: window.calls === 0 ? null : window.failureRate,
            calls: window.calls,
            lastTransitionAt:
              snapshot.state === 'OPEN'
                ? now() - snapshot.openedAgoMs
                : (transitions.get(breaker) ?? null),
            retryAfterMs: snapshot.state === 'OPEN' ? snapshot.remainingMs : null,
          });
        }
      }
      return views;
    },
    reset: (service, key) => {
      const breaker = find(service, key);
      if (breaker === undefined) return false;
      watch(breaker);
      breaker.reset();
      return true;
    },
  };
}
