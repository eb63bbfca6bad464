import { InvalidConfigError } from '../errors/index.js';
import type { ServiceDefinition } from './service.js';
import type { ServiceCaller } from './service-caller.js';
import { buildServicePolicy, type ServicePolicy } from './service-policy.js';

/** The caller behind `ctx.call`, plus the live policies of every service for inspection. */
export interface Services extends ServiceCaller {
  readonly policies: ReadonlyMap<string, ServicePolicy>;
}

/**
 * Builds the caller behind `ctx.call` from a pipeline's service definitions. A call to a service
 * the pipeline did not declare is refused with an InvalidConfigError naming it (non-recoverable:
 * the item goes to the dead letters instead of retrying a typo forever).
 */
export function createServiceCaller(
  definitions: Readonly<Record<string, ServiceDefinition>>,
): Services {
  const policies = new Map<string, ServicePolicy>();
  for (const [name, definition] of Object.entries(definitions)) {
    policies.set(name, buildServicePolicy(name, definition));
  }
  return {
    policies,
    async call(service, fn, { key, signal }) {
      const policy = policies.get(service);
      if (!policy) {
        throw new InvalidConfigError(
          'ctx.call service',
          `one of the pipeline's services (${[...policies.keys()].join(', ') || 'none declared'})`,
          service,
        );
      }
      const chain = policy.policyFor(key);
      if (!policy.fallback) return { value: await chain.execute(fn, signal), degraded: false };
      const result = await policy.fallback.executeResult(
        (context) => chain.execute(fn, context.signal),
        signal,
      );
      return { value: result.value as Awaited<ReturnType<typeof fn>>, degraded: result.degraded };
    },
  };
}
