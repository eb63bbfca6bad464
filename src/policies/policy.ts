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
  /**
   * Optional, for composition: run `fn` as a layer inside an outer policy's call, whose context
   * is `context`. The same as `execute(fn, context.signal)`, except that `context.signal` is
   * read only when really needed (to wait in a queue, to link a signal `fn` asked for, on a
   * failure), so that a lazy signal, like the one a timeout makes, is never created on a success
   * path that does not use it; and a policy with no signal or attempt of its own to add hands
   * `fn` the outer context itself, whose attempt number thereby flows inward. `compose` calls it
   * when a policy has it, `execute` otherwise.
   */
  executeContext?<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    context: ExecuteContext,
  ): Promise<T>;
}
