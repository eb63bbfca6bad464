/**
 * Fault injection (chaos engineering, Polly v8's chaos strategies): make calls slow, fail, or
 * answer with a substitute result, each at a given rate, to prove in tests and drills that the
 * other policies and the pipeline cope. Switchable at runtime (`enabled`, `update`) so a drill
 * can start and stop without a redeploy; the random source is injectable so a drill with a
 * seed (seededRandom) replays exactly. Disabled, it costs one boolean check per call.
 *
 * Per call, in order: latency (its own draw: a slow call may then also fail), then one draw
 * shared by error and result, so each happens at exactly its rate and never both
 * (error.rate + result.rate <= 1), then the real call if neither struck.
 *
 * A substitute result may have another type than the call's, so the policy's result type is
 * `T | R`; with no result fault R is never and the policy is an ordinary Policy.
 */
import { AbortedError, InjectedFaultError, InvalidConfigError } from '../errors/index.js';
import { attemptContext } from './attempt-context.js';
import { EventEmitter, type Event } from './event.js';
import {
  booleanOption,
  functionOption,
  isRate,
  isTimerMs,
  maxTimerMs,
  optionsRecord,
  requiredNumber,
  timerMsText,
} from './option-checks.js';
import type { ExecuteContext } from './policy.js';
import type { Random } from './random.js';
import { sleep } from './sleep.js';

export interface LatencyFault {
  /** Share of calls delayed, in [0, 1]. */
  readonly rate: number;
  /** The delay (ms), or a distribution sampled with the policy's random source. */
  readonly ms: number | ((random: Random) => number);
}

export interface ErrorFault {
  /** Share of calls failed, in [0, 1]. */
  readonly rate: number;
  /** Makes the error to throw. Default: a new InjectedFaultError. */
  readonly create?: () => unknown;
}

export interface ResultFault<R> {
  /** Share of calls answered with `value()` instead of running, in [0, 1 - error.rate]. */
  readonly rate: number;
  readonly value: () => R | PromiseLike<R>;
}

export interface FaultInjectionOptions<R = never> {
  /** Default true. */
  readonly enabled?: boolean;
  readonly latency?: LatencyFault;
  readonly error?: ErrorFault;
  readonly result?: ResultFault<R>;
  /** Default Math.random. */
  readonly random?: Random;
}

export interface FaultEvent {
  readonly kind: 'latency' | 'error' | 'result';
  /** The injected delay, for latency. */
  readonly delayMs?: number;
}

interface Faults<R> {
  readonly latency: LatencyFault | undefined;
  readonly error: ErrorFault | undefined;
  readonly result: ResultFault<R> | undefined;
  readonly random: Random;
}

const marker = Symbol.for('sluice.policy.fault-injection');
const faultKeys = ['enabled', 'latency', 'error', 'result', 'random'] as const;

export function faultInjection<R = never>(
  options?: FaultInjectionOptions<R>,
): FaultInjectionPolicy<R> {
  return new FaultInjectionPolicy(options);
}

export function isFaultInjectionPolicy(value: unknown): value is FaultInjectionPolicy<unknown> {
  return typeof value === 'object' && value !== null && marker in value;
}

export class FaultInjectionPolicy<R = never> {
  readonly [marker] = true;
  #enabled: boolean;
  #faults: Faults<R>;
  readonly #onFault = new EventEmitter<FaultEvent>();
  /** Fires for every fault injected. */
  readonly onFault: Event<FaultEvent> = this.#onFault.event;

  constructor(options?: FaultInjectionOptions<R>) {
    const o = optionsRecord('faultInjection', options, faultKeys);
    this.#enabled = booleanOption('faultInjection.enabled', o.enabled, true);
    this.#faults = checkFaults<R>(o, Math.random);
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  set enabled(value: boolean) {
    this.#enabled = booleanOption('faultInjection.enabled', value, true);
  }

  /**
   * Changes the faults while running: each key given replaces that fault (undefined removes
   * it); keys not given are kept. Validated like the constructor's options; on error nothing
   * changes.
   */
  update(options: FaultInjectionOptions<R>): void {
    const o = optionsRecord('faultInjection', options, faultKeys);
    const faults = checkFaults<R>({ ...this.#faults, ...o }, this.#faults.random);
    const enabled = booleanOption('faultInjection.enabled', o.enabled, this.#enabled);
    this.#faults = faults;
    this.#enabled = enabled;
  }

  async execute<T>(
    fn: (context: ExecuteContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T | R> {
    if (!this.#enabled) return fn(attemptContext(signal, 1));
    if (signal?.aborted) throw new AbortedError(signal.reason);
    const { latency, error, result, random } = this.#faults;
    if (latency !== undefined && latency.rate > 0 && random() < latency.rate) {
      const sampled = typeof latency.ms === 'number' ? latency.ms : latency.ms(random);
      const delayMs = sampled > maxTimerMs ? maxTimerMs : sampled >= 0 ? sampled : 0;
      if (this.#onFault.size !== 0) this.#onFault.fire({ kind: 'latency', delayMs });
      await sleep(delayMs, signal);
    }
    const errorRate = error?.rate ?? 0;
    const resultRate = result?.rate ?? 0;
    if (errorRate + resultRate > 0) {
      const draw = random();
      if (draw < errorRate) {
        if (this.#onFault.size !== 0) this.#onFault.fire({ kind: 'error' });
        throw error?.create === undefined ? new InjectedFaultError() : error.create();
      }
      if (result !== undefined && draw < errorRate + resultRate) {
        if (this.#onFault.size !== 0) this.#onFault.fire({ kind: 'result' });
        return result.value();
      }
    }
    return fn(attemptContext(signal, 1));
  }
}

function checkFaults<R>(o: Record<string, unknown>, random: Random): Faults<R> {
  let latency: LatencyFault | undefined;
  if (o.latency !== undefined) {
    const l = optionsRecord('faultInjection.latency', o.latency, ['rate', 'ms']);
    requiredNumber('faultInjection.latency.rate', l.rate, rateText, isRate);
    if (typeof l.ms !== 'function') {
      requiredNumber('faultInjection.latency.ms', l.ms, `${timerMsText} or a function`, isTimerMs);
    }
    latency = Object.freeze({ rate: l.rate, ms: l.ms }) as LatencyFault;
  }
  let error: ErrorFault | undefined;
  if (o.error !== undefined) {
    const e = optionsRecord('faultInjection.error', o.error, ['rate', 'create']);
    requiredNumber('faultInjection.error.rate', e.rate, rateText, isRate);
    functionOption('faultInjection.error.create', e.create);
    error = Object.freeze({ rate: e.rate, create: e.create }) as ErrorFault;
  }
  let result: ResultFault<R> | undefined;
  if (o.result !== undefined) {
    const r = optionsRecord('faultInjection.result', o.result, ['rate', 'value']);
    const errorRate = error?.rate ?? 0;
    requiredNumber(
      'faultInjection.result.rate',
      r.rate,
      `a number in [0, 1 - error.rate (${errorRate})]`,
      (n) => isRate(n) && n + errorRate <= 1,
    );
    if (typeof r.value !== 'function') {
      throw new InvalidConfigError('faultInjection.result.value', 'a function', r.value);
    }
    result = Object.freeze({ rate: r.rate, value: r.value }) as ResultFault<R>;
  }
  return {
    latency,
    error,
    result,
    random: functionOption<Random>('faultInjection.random', o.random) ?? random,
  };
}

const rateText = 'a number in [0, 1]';
