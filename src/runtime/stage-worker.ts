import type { Logger } from 'pino';
import {
  InvalidConfigError,
  TimeoutError,
  isAbortedError,
  type Classification,
  type Classifier,
} from '../errors/index.js';
import { backoff, type Backoff } from '../policies/index.js';
import type { SluiceTracing, SpanHandle } from '../observe/index.js';
import {
  assertJsonSerializable,
  type ClaimedItem,
  type Lease,
  type NewItem,
  type Outcome,
  type Store,
} from '../store/index.js';
import type { CommitBuffer } from './commit-buffer.js';
import { ItemContext, type ItemContextDeps } from './item-context.js';
import type { StageDefinition } from './stage.js';

/** What a stage worker reports about each finished attempt (for summaries and metrics). */
export interface AttemptReport {
  readonly stage: string;
  readonly item: ClaimedItem;
  readonly outcome: Outcome['kind'];
  readonly durationMs: number;
  readonly classification?: Classification;
  readonly degraded: boolean;
}

export interface StageWorkerDeps {
  readonly store: Store;
  readonly runId: string;
  readonly owner: string;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly now: () => number;
  readonly buffer: CommitBuffer;
  readonly classify: Classifier;
  readonly logger: Logger;
  readonly context: Omit<ItemContextDeps, 'runId'>;
  /** The stage items go to on success; undefined for the last stage. */
  readonly nextStage: string | undefined;
  readonly onAttempt: (report: AttemptReport) => void;
  /** Called whenever this worker runs out of claimable work or gets busy again. */
  readonly onIdleChange: () => void;
  /** A CONSUMER span per attempt when given. */
  readonly tracing?: SluiceTracing;
  /** Items claimed per batch, for the lease-reclaim rate of health verdicts. */
  readonly onClaimed?: (count: number) => void;
  /** Per-item attempt limit overriding the stage's, when it returns a number. */
  readonly maxAttemptsOf?: (item: ClaimedItem) => number | undefined;
}

interface InFlight {
  readonly item: ClaimedItem;
  readonly context: ItemContext;
}

/**
 * Runs one stage of one run: claims batches of items, runs up to `concurrency` handlers at once,
 * and hands each outcome to the group-commit buffer. It never waits for a commit before taking
 * the next item; the lease (kept alive by heartbeats) is what makes that safe.
 */
export class StageWorker {
  readonly stage: StageDefinition;
  readonly #deps: StageWorkerDeps;
  /** What every item's ctx shares, built once (not spread per item on the hot path). */
  readonly #contextDeps: ItemContextDeps;
  readonly #concurrency: number;
  readonly #batchSize: number;
  readonly #maxAttempts: number;
  readonly #backoff: Backoff;
  readonly #inFlight = new Map<string, InFlight>();
  #stopping = false;
  #idle = false;
  #wake: (() => void) | undefined;
  #woken = false;
  #slotWaiter: (() => void) | undefined;
  /** The current backoff after store errors; 0 while the store answers. */
  #failedMs = 0;

  constructor(stage: StageDefinition, deps: StageWorkerDeps) {
    this.stage = stage;
    this.#deps = deps;
    this.#contextDeps = { ...deps.context, runId: deps.runId };
    this.#concurrency = stage.concurrency ?? 1;
    this.#batchSize = stage.batchSize ?? Math.max(this.#concurrency * 2, 32);
    this.#maxAttempts = stage.retry?.maxAttempts ?? 5;
    // Item retries wait in the store, so they can be long: 1 s doubling to 5 min, full jitter.
    this.#backoff = backoff(
      { kind: 'exponential', initialMs: 1000, capMs: 300_000, ...stage.retry?.backoff },
      Math.random,
      `stages.${stage.name}.retry.backoff`,
    );
  }

  /** True when the last claim found nothing and no handler is running. */
  get idle(): boolean {
    return this.#idle && this.#inFlight.size === 0;
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** The leases of every running handler, for heartbeats. */
  leases(): Lease[] {
    return [...this.#inFlight.values()].map((entry) => entry.item);
  }

  /** New work may have arrived (a commit emitted into this stage, a reclaim, a seed). */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Stops claiming; running handlers go on until `abortRunning`. */
  stopClaiming(): void {
    this.#stopping = true;
    this.#wake?.();
    this.#slotWaiter?.();
  }

  /** Aborts every running handler's signal (the shutdown deadline passed). */
  abortRunning(reason: unknown): void {
    for (const { context } of this.#inFlight.values()) context.abort(reason);
  }

  async #drained(): Promise<void> {
    while (this.#inFlight.size > 0) {
      await new Promise<void>((resolve) => (this.#slotWaiter = resolve));
    }
  }

  /**
   * Gives back the leases of handlers still running after the abort grace: their items become
   * claimable again, and whatever those handlers report later is ignored (and would be fenced).
   */
  releaseRunning(): void {
    for (const { item } of [...this.#inFlight.values()]) {
      this.#inFlight.delete(item.token);
      this.#deps.buffer.add({ kind: 'release', lease: item });
    }
    this.#slotWaiter?.();
  }

  /** The claim loop; resolves once stopped and every started handler has reported. */
  async run(): Promise<void> {
    const { store, runId, owner, leaseMs, now } = this.#deps;
    const threshold = Math.max(1, Math.min(this.#batchSize, Math.floor(this.#concurrency / 4)));
    while (!this.#stopping) {
      const free = this.#concurrency - this.#inFlight.size;
      if (free < threshold) {
        await new Promise<void>((resolve) => (this.#slotWaiter = resolve));
        continue;
      }
      // Backpressure: do not outrun the writer.
      if (this.#deps.buffer.backlogged) await this.#deps.buffer.idle();
      const limit = Math.min(this.#batchSize, free);
      this.#woken = false;
      let items: ClaimedItem[];
      try {
        items = await store.claim({
          runId,
          stage: this.stage.name,
          owner,
          limit,
          leaseMs,
          now: now(),
        });
        this.#storeRecovered();
      } catch (error) {
        await this.#storeFailed(error, 'claim');
        continue;
      }
      if (items.length === 0) {
        this.#setIdle(true);
        await this.#waitForWork();
        continue;
      }
      this.#setIdle(false);
      this.#deps.onClaimed?.(items.length);
      for (const item of items) this.#start(item);
    }
    await this.#drained();
  }

  /**
   * Waits until an item of this stage is due or a wake-up arrives. Polls with a read, which is
   * cheap (WAL readers do not block), and claims only when something is due: a claim takes the
   * write lock, so polling with claims would slow every other worker down.
   */
  async #waitForWork(): Promise<void> {
    const { store, runId, pollMs, now } = this.#deps;
    while (!this.#stopping && !this.#woken) {
      let next: number | undefined;
      try {
        next = await store.nextAvailableAt(runId, this.stage.name);
        this.#storeRecovered();
      } catch (error) {
        await this.#storeFailed(error, 'poll');
        return;
      }
      const current = now();
      if (next !== undefined && next <= current) return;
      await this.#sleep(next === undefined ? pollMs : Math.min(pollMs, next - current));
    }
  }

  /**
   * The store could not be reached (a lost connection, a database restart): wait and try again,
   * 100 ms doubling to 5 s, with one warning per outage. Nothing is lost meanwhile: running
   * handlers go on, their outcomes wait in the commit buffer, and a lease that expires during the
   * outage is reclaimed by a live worker, after which this worker's late commit of it is fenced.
   */
  async #storeFailed(error: unknown, what: 'claim' | 'poll'): Promise<void> {
    if (this.#failedMs === 0) {
      this.#deps.logger.warn(
        { err: error, stage: this.stage.name },
        `${what} failed; retrying with backoff until the store is back`,
      );
    }
    this.#failedMs = Math.min(5_000, Math.max(100, this.#failedMs * 2));
    await this.#sleep(this.#failedMs);
    this.#woken = false;
  }

  #storeRecovered(): void {
    if (this.#failedMs === 0) return;
    this.#failedMs = 0;
    this.#deps.logger.info({ stage: this.stage.name }, 'store reachable again; claiming');
  }

  #setIdle(idle: boolean): void {
    if (this.#idle === idle) return;
    this.#idle = idle;
    this.#deps.onIdleChange();
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopping || this.#woken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  #start(item: ClaimedItem): void {
    if (item.attempt > this.#maxAttemptsFor(item)) {
      // Reclaimed again and again (the process died mid-handler each time): a poison item.
      this.#finish(item, undefined, this.#deps.now(), {
        kind: 'dead',
        lease: item,
        error: `gave up after ${item.attempt - 1} attempts, the last ones lost with their lease`,
        category: 'recoverable',
      });
      return;
    }
    const context = new ItemContext(this.#contextDeps, item);
    this.#inFlight.set(item.token, { item, context });
    const startedAt = this.#deps.now();
    const tracing = this.#deps.tracing;
    // No span work at all while no OpenTelemetry SDK is registered.
    const span = !tracing?.enabled()
      ? undefined
      : tracing.startItemSpan({
          pipeline: this.#deps.context.pipeline,
          stage: item.stage,
          itemId: item.id,
          attempt: item.attempt,
          runId: item.runId,
          traceContext: item.traceContext,
          enqueuedAtMs: item.availableAt,
        });
    let work: Promise<unknown> = span
      ? tracing!.within(span, () => this.stage.handler(item.input, context))
      : this.#run(item, context);
    const timeoutMs = this.stage.timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (timeoutMs !== undefined) {
      // Aggressive: the item fails at the deadline even if the handler ignores its signal.
      work = Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const error = new TimeoutError(timeoutMs);
            context.abort(error);
            reject(error);
          }, timeoutMs);
        }),
      ]);
    }
    work.then(
      (output) => {
        clearTimeout(timer);
        const outcome = this.#success(item, context, output, span);
        this.#endSpan(span, outcome);
        this.#finish(item, context, startedAt, outcome);
      },
      (error: unknown) => {
        clearTimeout(timer);
        const outcome = this.#failure(item, context, error);
        this.#endSpan(span, outcome, error);
        this.#finish(item, context, startedAt, outcome);
      },
    );
  }

  /** The handler, called at once; a synchronous throw becomes a rejection like an async one. */
  #run(item: ClaimedItem, context: ItemContext): Promise<unknown> {
    try {
      return Promise.resolve(this.stage.handler(item.input, context));
    } catch (error) {
      // A handler may throw anything; the classifier records whatever it was, as thrown.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(error);
    }
  }

  #endSpan(span: SpanHandle | undefined, outcome: Outcome, error?: unknown): void {
    if (!span) return;
    this.#deps.tracing!.finish(span.span, {
      outcome: outcome.kind,
      ...(error === undefined ? {} : { error }),
      ...(outcome.kind === 'retry' || outcome.kind === 'dead'
        ? { errorType: outcome.category }
        : {}),
    });
  }

  #maxAttemptsFor(item: ClaimedItem): number {
    return this.#deps.maxAttemptsOf?.(item) ?? this.#maxAttempts;
  }

  #success(
    item: ClaimedItem,
    context: ItemContext,
    output: unknown,
    span: SpanHandle | undefined,
  ): Outcome {
    // Checked here, one item at a time: a value the store would refuse must not fail the whole
    // group commit it would have joined. Retrying cannot fix it, so it is a dead letter.
    try {
      assertJsonSerializable(output ?? null, 'handler result');
      context.emitted?.forEach((emitted, index) => {
        if (typeof emitted.id !== 'string' || emitted.id === '') {
          throw new InvalidConfigError(
            `ctx.emit item ${index} id`,
            'a non-empty string',
            emitted.id,
          );
        }
        assertJsonSerializable(emitted.input, `ctx.emit item ${JSON.stringify(emitted.id)} input`);
      });
    } catch (error) {
      context.log.warn(
        { error: (error as Error).message },
        'attempt produced a value that cannot be stored',
      );
      return {
        kind: 'dead',
        lease: item,
        error: `${(error as InvalidConfigError).code}: ${(error as Error).message}`,
        category: 'non_recoverable',
      };
    }
    const nextStage = this.#deps.nextStage;
    let next: { stage: string; items: NewItem[] } | undefined;
    if (nextStage !== undefined) {
      const items: NewItem[] = context.emitted
        ? context.emitted.map((e) => ({
            id: e.id,
            input: e.input,
            ...(e.priority === undefined ? {} : { priority: e.priority }),
          }))
        : output === undefined
          ? []
          : [{ id: item.id, input: output }];
      if (items.length > 0) {
        next = {
          stage: nextStage,
          items: span ? this.#traceEnqueue(span, nextStage, items) : items,
        };
      }
    }
    return {
      kind: 'complete',
      lease: item,
      output: output ?? null,
      ...(context.degraded ? { degraded: true } : {}),
      ...(next ? { next } : {}),
    };
  }

  /**
   * The PRODUCER span `send <next stage>`, a child of this attempt's CONSUMER span, whose context
   * is stored with each next-stage item: so the next stage's first attempts continue this trace,
   * and its retries link to it (tracing.ts). Without it the items would inherit their parent's
   * stored context, which for seeded items is none, and every stage would start its own trace.
   */
  #traceEnqueue(span: SpanHandle, stage: string, items: NewItem[]): NewItem[] {
    const tracing = this.#deps.tracing!;
    const send = tracing.startEnqueueSpan({
      pipeline: this.#deps.context.pipeline,
      stage,
      count: items.length,
      runId: this.#deps.runId,
      parent: span.context,
    });
    // Ended here: the items go to the store with this attempt's outcome in the group commit.
    tracing.finish(send.span);
    const traceContext = send.traceContext;
    return traceContext === null ? items : items.map((next) => ({ ...next, traceContext }));
  }

  #failure(item: ClaimedItem, context: ItemContext, error: unknown): Outcome {
    if (this.#stopping && (context.aborted || isAbortedError(error))) {
      // Shutdown, not the item's fault: give it back without counting the attempt.
      return { kind: 'release', lease: item };
    }
    const classification = this.#deps.classify(error);
    // One line per failed attempt; the stack only at debug, where someone is looking for it.
    context.log.warn(
      {
        error: classification.message,
        category: classification.category,
        code: classification.code,
      },
      'attempt failed',
    );
    context.log.debug({ err: error }, 'attempt failed (stack)');
    const message = classification.code
      ? `${classification.code}: ${classification.message}`
      : classification.message;
    if (
      classification.category === 'non_recoverable' ||
      item.attempt >= this.#maxAttemptsFor(item)
    ) {
      return { kind: 'dead', lease: item, error: message, category: classification.category };
    }
    const delayMs = Math.max(this.#backoff.next(item.attempt, 0), classification.retryAfterMs ?? 0);
    return {
      kind: 'retry',
      lease: item,
      availableAt: this.#deps.now() + delayMs,
      error: message,
      category: classification.category,
      delayMs,
    };
  }

  #finish(
    item: ClaimedItem,
    context: ItemContext | undefined,
    startedAt: number,
    outcome: Outcome,
  ): void {
    // Released at shutdown already: this late result must not be reported twice.
    if (context && !this.#inFlight.delete(item.token)) return;
    this.#deps.buffer.add(outcome);
    const classification =
      outcome.kind === 'retry' || outcome.kind === 'dead'
        ? { category: outcome.category, message: outcome.error }
        : undefined;
    this.#deps.onAttempt({
      stage: this.stage.name,
      item,
      outcome: outcome.kind,
      durationMs: this.#deps.now() - startedAt,
      degraded: context?.degraded ?? false,
      ...(classification ? { classification } : {}),
    });
    const waiter = this.#slotWaiter;
    this.#slotWaiter = undefined;
    waiter?.();
  }
}
