import type { HttpClient } from '../http/index.js';
import type { ExecuteContext } from '../policies/index.js';

/** What a call through a service's policies produced. */
export interface ServiceCallResult<T> {
  readonly value: T;
  /** The value came from a fallback (or is otherwise partial): the item is flagged degraded. */
  readonly degraded: boolean;
}

/**
 * Runs functions under the composed policies of a pipeline's services. The engine hands one to
 * every item context; `services.ts` builds the real one from the pipeline's service definitions.
 */
export interface ServiceCaller {
  call<T>(
    service: string,
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    options: {
      readonly key?: string;
      readonly signal: AbortSignal;
      /** Key the breaker and limiter by `key` even if the service is not declared perKey. */
      readonly perKey?: boolean;
    },
  ): Promise<ServiceCallResult<T>>;
  /**
   * The HTTP client of `service` (`ctx.http`), its requests run through `call` keyed by host,
   * aborted by `signal`; `onDegraded` is told when a fallback answered one. Optional: a caller
   * without it makes `ctx.http` refuse with an InvalidConfigError.
   */
  http?(
    service: string,
    bind: { readonly signal: AbortSignal; readonly onDegraded: () => void },
  ): HttpClient;
}
