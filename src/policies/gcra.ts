import { checkBurst, checkRate, rateEpsilon, type RateAlgorithm } from './rate-algorithm.js';

/**
 * The generic cell rate algorithm. Per key it stores one number, the theoretical arrival time
 * (TAT): when the key's bucket would be empty again had every admitted unit arrived exactly on
 * schedule. A call of cost n at `now` fits when max(TAT, now) + n*T - now <= burst*T, with T the
 * emission interval 1000/rate ms; it then sets TAT to max(TAT, now) + n*T. Same limit as the token
 * bucket, half the memory, no refill arithmetic: the choice for many keys (per IP, per user).
 */
export class Gcra implements RateAlgorithm<number> {
  readonly name = 'gcra';
  readonly ratePerSecond: number;
  readonly burst: number;
  /** Emission interval: ms per unit of cost. */
  readonly #interval: number;
  /** Burst tolerance: how far ahead of now the TAT may run, in ms. */
  readonly #tolerance: number;
  readonly #slack: number;

  constructor(ratePerSecond: number, burst: number) {
    this.ratePerSecond = checkRate('gcra.ratePerSecond', ratePerSecond);
    this.burst = checkBurst('gcra.burst', burst);
    this.#interval = 1000 / ratePerSecond;
    this.#tolerance = burst * this.#interval;
    this.#slack = rateEpsilon * this.#interval;
  }

  take(tat: number | undefined, cost: number, now: number): number | undefined {
    const next = (tat === undefined || tat < now ? now : tat) + cost * this.#interval;
    return next - now <= this.#tolerance + this.#slack ? next : undefined;
  }

  waitMs(tat: number | undefined, cost: number, now: number): number {
    const over =
      (tat === undefined || tat < now ? now : tat) + cost * this.#interval - now - this.#tolerance;
    return over <= this.#slack ? 0 : over;
  }

  idleAt(tat: number): number {
    return tat;
  }
}

export function gcra(ratePerSecond: number, burst: number): Gcra {
  return new Gcra(ratePerSecond, burst);
}
