import { InvalidConfigError } from '../errors/index.js';
import type { ServiceDefinition } from './service.js';
import type { ServiceCaller } from './service-caller.js';

/**
 * Builds the caller behind `ctx.call` from a pipeline's service definitions. A call to a service
 * the pipeline did not declare is refused with an InvalidConfigError naming it (non-recoverable:
 * the item goes to the dead letters instead of retrying a typo forever).
 */
export function createServiceCaller(
  services: Readonly<Record<string, ServiceDefinition>>,
): ServiceCaller {
  return {
    async call(service, fn, { signal }) {
      if (!Object.hasOwn(services, service)) {
        throw new InvalidConfigError(
          'ctx.call service',
          `one of the pipeline's services (${Object.keys(services).join(', ') || 'none declared'})`,
          service,
        );
      }
      return { value: await fn({ signal, attempt: 1 }), degraded: false };
    },
  };
}
