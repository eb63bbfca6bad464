/** What every policy hands the function it runs. */
export interface ExecuteContext {
  /** Aborted when the caller aborts, a timeout fires, or a hedge loses. Pass it to your I/O. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, ... (1 outside a retry policy). */
  readonly attempt: number;
}

/**
 * The one interface of every resilience policy and of their composition: run `fn` under the
 * policy, honouring the caller's `signal`.
 */
export interface Policy {
  execute<T>(fn: (context: ExecuteContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T>;
}
