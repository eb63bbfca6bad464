import {
  InvalidConfigError,
  isBreakerOpenError,
  isBulkheadFullError,
  isRateLimitedError,
  isTimeoutError,
} from '../errors/index.js';
import type { ExternalCallOutcome, SluiceTracing } from '../observe/index.js';
import type { SharedStateLink } from '../coordination/index.js';
import type { ServiceDefinition } from './service.js';
import type { ServiceCaller, ServiceCallResult } from './service-caller.js';
import type { ServiceObserver } from './service-observer.js';
import { buildServicePolicy, type ServicePolicy } from './service-policy.js';

/** The caller behind `ctx.call`, plus the live policies of every service for inspection. */
export interface Services extends ServiceCaller {
  readonly policies: ReadonlyMap<string, ServicePolicy>;
}

export interface ServiceCallerOptions {
  readonly observer?: ServiceObserver;
  /** A CLIENT span per call when given. */
  readonly tracing?: SluiceTracing;
  /**
   * Share every service's rate limit and circuit breakers with the fleet through this link
   * (Redis: `sluice/redis`). Default: each process keeps its own.
   */
  readonly shared?: SharedStateLink;
  /** Monotonic milliseconds for call durations. Default performance.now. */
  readonly now?: () => number;
}

/**
 * Builds the caller behind `ctx.call` from a pipeline's service definitions. A call to a service
 * the pipeline did not declare is refused with an InvalidConfigError naming it (non-recoverable:
 * the item goes to the dead letters instead of retrying a typo forever).
 */
export function createServiceCaller(
  definitions: Readonly<Record<string, ServiceDefinition>>,
  options: ServiceCallerOptions = {},
): Services {
  const { observer, tracing } = options;
  const now = options.now ?? (() => performance.now());
  const policies = new Map<string, ServicePolicy>();
  for (const [name, definition] of Object.entries(definitions)) {
    policies.set(name, buildServicePolicy(name, definition, observer, options.shared));
  }

  const run = async <T>(
    policy: ServicePolicy,
    fn: Parameters<ServiceCaller['call']>[1],
    key: string | undefined,
    signal: AbortSignal,
  ): Promise<ServiceCallResult<T>> => {
    const chain = policy.policyFor(key);
    if (!policy.fallback) {
      return { value: (await chain.execute(fn, signal)) as T, degraded: false };
    }
    const result = await policy.fallback.executeResult(
      (context) => chain.execute(fn, context.signal),
      signal,
    );
    return { value: result.value as T, degraded: result.degraded };
  };

  return {
    policies,
    async call<T>(
      service: string,
      fn: Parameters<ServiceCaller['call']>[1],
      { key, signal }: { readonly key?: string; readonly signal: AbortSignal },
    ): Promise<ServiceCallResult<T>> {
      const policy = policies.get(service);
      if (!policy) {
        throw new InvalidConfigError(
          'ctx.call service',
          `one of the pipeline's services (${[...policies.keys()].join(', ') || 'none declared'})`,
          service,
        );
      }
      if (!observer && !tracing) return run<T>(policy, fn, key, signal);
      const span = tracing?.enabled()
        ? tracing.startCallSpan({ service, ...(key === undefined ? {} : { host: key }) })
        : undefined;
      const startedAt = now();
      try {
        const result = span
          ? await tracing!.within(span, () => run<T>(policy, fn, key, signal))
          : await run<T>(policy, fn, key, signal);
        const outcome: ExternalCallOutcome = result.degraded ? 'fallback' : 'success';
        observer?.called(service, outcome, now() - startedAt);
        if (span) tracing!.finish(span.span, { outcome });
        return result;
      } catch (error) {
        const outcome = callOutcome(error);
        observer?.called(service, outcome, now() - startedAt);
        if (span) tracing!.finish(span.span, { error, outcome });
        throw error;
      }
    },
  };
}

function callOutcome(error: unknown): ExternalCallOutcome {
  if (isBreakerOpenError(error)) return 'short_circuited';
  if (isTimeoutError(error)) return 'timeout';
  if (isRateLimitedError(error) || isBulkheadFullError(error)) return 'rejected';
  return 'failure';
}
