import {
  InvalidConfigError,
  isBreakerOpenError,
  isBulkheadFullError,
  isHttpTimeoutError,
  isRateLimitedError,
  isTimeoutError,
} from '../errors/index.js';
import { createHttpClient, type HttpClient } from '../http/index.js';
import type { ExternalCallOutcome, SluiceTracing } from '../observe/index.js';
import type { SharedStateLink } from '../coordination/index.js';
import type { ExecuteContext } from '../policies/index.js';
import type { ServiceDefinition } from './service.js';
import type { ServiceCaller, ServiceCallResult } from './service-caller.js';
import type { ServiceObserver } from './service-observer.js';
import { buildServicePolicy, type ServicePolicy } from './service-policy.js';

/** The caller behind `ctx.call`, plus the live policies of every service for inspection. */
export interface Services extends ServiceCaller {
  readonly policies: ReadonlyMap<string, ServicePolicy>;
  http(
    service: string,
    bind: { readonly signal: AbortSignal; readonly onDegraded: () => void },
  ): HttpClient;
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
    perKey: boolean,
  ): Promise<ServiceCallResult<T>> => {
    const chain = perKey && key !== undefined ? policy.policyForKey(key) : policy.policyFor(key);
    if (!policy.fallback) {
      return { value: (await chain.execute(fn, signal)) as T, degraded: false };
    }
    const result = await policy.fallback.executeResult(
      (context) => chain.execute(fn, context.signal),
      signal,
    );
    return { value: result.value as T, degraded: result.degraded };
  };

  const lookup = (service: string, field: string): ServicePolicy => {
    const policy = policies.get(service);
    if (!policy) {
      throw new InvalidConfigError(
        field,
        `one of the pipeline's services (${[...policies.keys()].join(', ') || 'none declared'})`,
        service,
      );
    }
    return policy;
  };
  // One client per service, made on first use, sharing the service's pool; bound per item.
  const clients = new Map<string, HttpClient>();

  const services: Services = {
    policies,
    async call<T>(
      service: string,
      fn: Parameters<ServiceCaller['call']>[1],
      {
        key,
        signal,
        perKey = false,
      }: { readonly key?: string; readonly signal: AbortSignal; readonly perKey?: boolean },
    ): Promise<ServiceCallResult<T>> {
      const policy = lookup(service, 'ctx.call service');
      if (!observer && !tracing) return run<T>(policy, fn, key, signal, perKey);
      const span = tracing?.enabled()
        ? tracing.startCallSpan({ service, ...(key === undefined ? {} : { host: key }) })
        : undefined;
      const startedAt = now();
      try {
        const result = span
          ? await tracing!.within(span, () => run<T>(policy, fn, key, signal, perKey))
          : await run<T>(policy, fn, key, signal, perKey);
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

    http(service, bind) {
      let client = clients.get(service);
      if (!client) {
        const policy = lookup(service, 'ctx.http service');
        client = createHttpClient({
          ...policy.http,
          dispatcher: policy.httpAgent(),
          service,
          ...(policy.httpAttemptTimeoutMs === undefined
            ? {}
            : { attemptTimeoutMs: policy.httpAttemptTimeoutMs }),
          ...(tracing ? { tracing } : {}),
        });
        clients.set(service, client);
      }
      return client.bind({
        signal: bind.signal,
        execute: async <T>(
          host: string,
          fn: (context: ExecuteContext) => Promise<T>,
          signal: AbortSignal | undefined,
        ): Promise<T> => {
          const result = await services.call<T>(service, fn, {
            key: host,
            signal: signal ?? bind.signal,
            perKey: true,
          });
          if (result.degraded) bind.onDegraded();
          return result.value;
        },
      });
    },
  };
  return services;
}

function callOutcome(error: unknown): ExternalCallOutcome {
  if (isBreakerOpenError(error)) return 'short_circuited';
  if (isTimeoutError(error) || isHttpTimeoutError(error)) return 'timeout';
  if (isRateLimitedError(error) || isBulkheadFullError(error)) return 'rejected';
  return 'failure';
}
