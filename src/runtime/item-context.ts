import type { Logger } from 'pino';
import { InvalidConfigError } from '../errors/index.js';
import type { HttpClient } from '../http/index.js';
import type { ClaimedItem } from '../store/index.js';
import type { ServiceCaller } from './service-caller.js';
import type { EmittedItem, Json, StageContext } from './stage.js';

/** What the engine needs to build the context of one item's attempt. */
export interface ItemContextDeps {
  readonly runId: string;
  readonly pipeline: string;
  readonly dryRun: boolean;
  readonly services: ServiceCaller;
  readonly logger: Logger;
  /** Saves the item's checkpoint now (keeps the lease). */
  readonly saveCheckpoint: (item: ClaimedItem, state: Json) => Promise<void>;
  readonly addUsage: (name: string, amount: number) => void;
}

/**
 * The `ctx` of one attempt. Built per item on the hot path, so everything costly is lazy: the
 * AbortController exists only if the handler reads `signal` (or a timeout or shutdown needs it),
 * the child logger only if the handler logs.
 */
export class ItemContext implements StageContext<unknown, string> {
  readonly #deps: ItemContextDeps;
  readonly #item: ClaimedItem;
  #controller: AbortController | undefined;
  #log: Logger | undefined;
  #metrics: UsageMetrics | undefined;
  /** Items the handler emitted, in order; undefined if it never called emit. */
  emitted: EmittedItem<unknown>[] | undefined;
  /** Set when a service call was answered by a fallback. */
  degraded = false;
  progressDone: number | undefined;

  constructor(deps: ItemContextDeps, item: ClaimedItem) {
    this.#deps = deps;
    this.#item = item;
  }

  get runId(): string {
    return this.#deps.runId;
  }
  get pipeline(): string {
    return this.#deps.pipeline;
  }
  get stage(): string {
    return this.#item.stage;
  }
  get itemId(): string {
    return this.#item.id;
  }
  get attempt(): number {
    return this.#item.attempt;
  }
  get dryRun(): boolean {
    return this.#deps.dryRun;
  }
  get savedCheckpoint(): Json | undefined {
    return (this.#item.checkpoint ?? undefined) as Json | undefined;
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Aborts the attempt's signal (timeout, shutdown); a no-op if the handler never asked for it. */
  abort(reason: unknown): void {
    this.#controller ??= new AbortController();
    this.#controller.abort(reason);
  }

  get aborted(): boolean {
    return this.#controller?.signal.aborted ?? false;
  }

  get log(): Logger {
    // The engine's logger already carries run_id and pipeline.
    this.#log ??= this.#deps.logger.child({
      stage: this.#item.stage,
      item_id: this.#item.id,
      attempt: this.#item.attempt,
      correlation_id: `${this.#deps.runId}/${this.#item.id}`,
    });
    return this.#log;
  }

  /** Usage counters (`ctx.metrics.add("tokens", n)`), made on first use. */
  get metrics(): UsageMetrics {
    this.#metrics ??= new UsageMetrics(this.#deps.addUsage);
    return this.#metrics;
  }

  async call<T>(
    service: string,
    fn: (context: { readonly signal: AbortSignal; readonly attempt: number }) => Promise<T> | T,
    options?: { readonly key?: string },
  ): Promise<T> {
    const result = await this.#deps.services.call(service, fn, {
      signal: this.signal,
      ...(options?.key === undefined ? {} : { key: options.key }),
    });
    if (result.degraded) this.degraded = true;
    return result.value;
  }

  /**
   * The HTTP client of `service`: its requests run under the service's policies keyed by host,
   * are aborted with this attempt's signal, and carry the active trace context.
   */
  http(service: string): HttpClient {
    const services = this.#deps.services;
    if (typeof services.http !== 'function') {
      throw new InvalidConfigError('ctx.http', 'a service caller with http support', service);
    }
    return services.http(service, { signal: this.signal, onDegraded: this.#onDegraded });
  }

  readonly #onDegraded = (): void => {
    this.degraded = true;
  };

  emit(items: Iterable<EmittedItem<unknown>> | EmittedItem<unknown>): void {
    this.emitted ??= [];
    if (isEmittedItem(items)) this.emitted.push(items);
    else for (const item of items) this.emitted.push(item);
  }

  progress(done: number): void {
    this.progressDone = done;
  }

  async checkpoint(state: Json): Promise<void> {
    if (this.#deps.dryRun) return;
    await this.#deps.saveCheckpoint(this.#item, state);
  }
}

function isEmittedItem(value: unknown): value is EmittedItem<unknown> {
  return typeof value === 'object' && value !== null && 'id' in value && 'input' in value;
}

class UsageMetrics {
  readonly #addUsage: (name: string, amount: number) => void;

  constructor(addUsage: (name: string, amount: number) => void) {
    this.#addUsage = addUsage;
  }

  // A property, not a method: `const { add } = ctx.metrics` keeps working.
  readonly add = (name: string, amount: number): void => {
    if (typeof name !== 'string' || name === '') {
      throw new InvalidConfigError('ctx.metrics.add name', 'a non-empty string', name);
    }
    if (!Number.isFinite(amount)) {
      throw new InvalidConfigError(`ctx.metrics.add("${name}") amount`, 'a finite number', amount);
    }
    this.#addUsage(name, amount);
  };
}
