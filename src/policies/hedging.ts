/**
 * Hedging (Polly v8): when the first attempt is slow, start another after `delayMs` (up to
 * `maxHedged` extra) and take whichever succeeds first. It trades a little extra load for a much
 * shorter tail latency on idempotent reads.
 *
 * - Each attempt gets its own AbortSignal, a child of the caller's: the caller aborting aborts
 *   them all; once one attempt wins, the others are aborted (the winner's signal is left alone,
 *   since its result may still be streaming).
 * - An attempt that fails before the delay is up starts the next one at once (if any remain).
 * - A non_recoverable failure settles the call at once: another attempt cannot fix it.
 * - If every attempt fails, the call rejects with the error of the last attempt to fail: the
 *   freshest information, and the one from the attempt that had the most time.
 * - When the call settles, no timer and no listener on the caller's signal is left behind.
 */
import { AbortedError, classify as defaultClassify, type Classifier } from '../errors/index.js';
import { EventEmitter, type Event } from './event.js';
import {
  functionOption,
  isTimerMs,
  numberOption,
  optionsRecord,
  timerMsText,
} from './option-checks.js';
import type { ExecuteContext, Policy } from './policy.js';

export interface HedgingOptions {
  /** How long an attempt may run before the next starts (ms); 0 starts all at once. Default 2000. */
  readonly delayMs?: number;
  /** Extra attempts at most: an integer in [1, 10]. Default 1. */
  readonly maxHedged?: number;
  /** Decides which failures are non_recoverable. Default: the errors layer's classify. */
  readonly classify?: Classifier;
}

export interface HedgeEvent {
  /** The attempt starting: 2 for the first hedge. */
  readonly attempt: number;
  /** Why it starts: the previous attempt was slow, or it failed. */
  readonly reason: 'delay' | 'failure';
}

const marker = Symbol.for('sluice.policy.hedging');
const hedgingKeys = ['delayMs', 'maxHedged', 'classify'] as const;

export function hedging(options?: HedgingOptions): HedgingPolicy {
  return new HedgingPolicy(options);
}

export function isHedgingPolicy(value: unknown): value is HedgingPolicy {
  return typeof value === 'object' && value !== null && marker in value;
}

export class HedgingPolicy implements Policy {
  readonly [marker] = true;
  readonly delayMs: number;
  readonly maxHedged: number;
  readonly #classify: Classifier;
  readonly #onHedge = new EventEmitter<HedgeEvent>();
  /** Fires when a hedged attempt starts. */
  readonly onHedge: Event<HedgeEvent> = this.#onHedge.event;

  constructor(options?: HedgingOptions) {
    const o = optionsRecord('hedging', options, hedgingKeys);
    this.delayMs = numberOption('hedging.delayMs', o.delayMs, 2000, timerMsText, isTimerMs);
    this.maxHedged = numberOption(
      'hedging.maxHedged',
      o.maxHedged,
      1,
      'an integer in [1, 10]',
      (n) => Number.isInteger(n) && n >= 1 && n <= 10,
    );
    this.#classify = functionOption<Classifier>('hedging.classify', o.classify) ?? defaultClassify;
  }

  execute<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    return new Promise<T>((resolve, reject) => {
      const total = 1 + this.maxHedged;
      const controllers: AbortController[] = [];
      let running = 0;
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;

      /** Stops everything; aborts every attempt but the winner, with `reason` or "lost". */
      const settle = (winner: AbortController | undefined, reason?: unknown): void => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        for (const controller of controllers) {
          if (controller === winner || controller.signal.aborted) continue;
          reason ??= new AbortedError(new Error('the hedged call was settled by another attempt'));
          controller.abort(reason);
        }
      };
      const onAbort = (): void => {
        settle(undefined, signal?.reason);
        reject(new AbortedError(signal?.reason));
      };
      const launch = (reason: HedgeEvent['reason']): void => {
        timer = undefined;
        const controller = new AbortController();
        controllers.push(controller);
        const attempt = controllers.length;
        running += 1;
        if (attempt > 1 && this.#onHedge.size !== 0) this.#onHedge.fire({ attempt, reason });
        // Runs fn now; a synchronous throw becomes a rejection like any other failure.
        new Promise<T>((run) => run(fn({ signal: controller.signal, attempt }))).then(
          (value) => {
            if (settled) return;
            settle(controller);
            resolve(value);
          },
          (error: unknown) => {
            running -= 1;
            if (settled) return;
            if (this.#classify(error).category === 'non_recoverable') {
              settle(controller);
              // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrow fn's own failure as is
              reject(error);
            } else if (controllers.length < total) {
              clearTimeout(timer);
              launch('failure');
            } else if (running === 0) {
              settle(controller);
              // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrow fn's own failure as is
              reject(error);
            }
          },
        );
        if (!settled && controllers.length < total) {
          if (this.delayMs === 0) launch('delay');
          else timer = setTimeout(launch, this.delayMs, 'delay');
        }
      };

      signal?.addEventListener('abort', onAbort, { once: true });
      launch('delay');
    });
  }
}
