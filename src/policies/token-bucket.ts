import { checkBurst, checkRate, rateEpsilon, type RateAlgorithm } from './rate-algorithm.js';

/** One key's bucket: its tokens as of `at` (ms on the limiter's clock). Mutated in place. */
export interface TokenBucketState {
  tokens: number;
  at: number;
}

/**
 * The classic token bucket: `burst` tokens, refilled continuously at `ratePerSecond`; a call of
 * cost n takes n tokens or waits. Admits exactly what GCRA admits (they are the same limit); it
 * stores two numbers per key to GCRA's one, and is the one most people can reason about.
 */
export class TokenBucket implements RateAlgorithm<TokenBucketState> {
  readonly name = 'token-bucket';
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly #perMs: number;

  constructor(ratePerSecond: number, burst: number) {
    this.ratePerSecond = checkRate('tokenBucket.ratePerSecond', ratePerSecond);
    this.burst = checkBurst('tokenBucket.burst', burst);
    this.#perMs = ratePerSecond / 1000;
  }

  take(
    state: TokenBucketState | undefined,
    cost: number,
    now: number,
  ): TokenBucketState | undefined {
    if (state === undefined) {
      return cost <= this.burst + rateEpsilon ? { tokens: this.burst - cost, at: now } : undefined;
    }
    const tokens = this.#tokensAt(state, now);
    if (tokens + rateEpsilon < cost) return undefined;
    state.tokens = tokens - cost;
    state.at = now;
    return state;
  }

  waitMs(state: TokenBucketState | undefined, cost: number, now: number): number {
    const missing = cost - (state === undefined ? this.burst : this.#tokensAt(state, now));
    return missing <= rateEpsilon ? 0 : missing / this.#perMs;
  }

  idleAt(state: TokenBucketState): number {
    return state.at + (this.burst - state.tokens) / this.#perMs;
  }

  #tokensAt(state: TokenBucketState, now: number): number {
    const elapsed = now > state.at ? now - state.at : 0;
    const tokens = state.tokens + elapsed * this.#perMs;
    return tokens < this.burst ? tokens : this.burst;
  }
}

export function tokenBucket(ratePerSecond: number, burst: number): TokenBucket {
  return new TokenBucket(ratePerSecond, burst);
}
