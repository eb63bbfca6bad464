/**
 * The random source of backoff jitter and fault injection: a function returning a float in
 * [0, 1), like Math.random. Injectable so tests and chaos drills are reproducible.
 */
export type Random = () => number;

/**
 * A small, fast, seeded generator (mulberry32: 32-bit state, passes the usual statistical
 * batteries well enough for jitter and fault rates; not for cryptography). The same seed always
 * yields the same sequence, so a failing property test or chaos drill can be replayed.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
