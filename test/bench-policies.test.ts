import { describe, expect, it } from 'vitest';
import { runChild } from '../bench/suites/policies.js';

/** A smoke run of the policies benchmark's sluice child: tiny counts, the shape of its lines. */
describe('bench policies: the sluice child', () => {
  it('prints one line per case, then the memory of 10,000 keyed breakers', async () => {
    const lines = await runChild('sluice', ['--iterations', '200', '--runs', '1']);
    const timed = [
      'baseline',
      'retry',
      'breaker',
      'timeout',
      'bulkhead',
      'limiter',
      'composed',
      'open_fast_fail',
      'bulkhead_full',
      'limiter_exhausted',
      'keyed_breaker',
      'keyed_open_fast_fail',
    ];
    expect(lines.map((line) => line.case)).toEqual([...timed, 'keys_10k']);
    for (const line of lines.slice(0, timed.length)) {
      expect(line).toEqual({
        suite: 'policies',
        case: line.case,
        lib: 'sluice',
        backend: 'memory',
        ns_per_call: expect.any(Number) as unknown,
        iterations: 200,
        runs: 1,
      });
      expect(line.ns_per_call).toBeGreaterThan(0);
    }
    const keys = lines.at(-1)!;
    expect(keys).toMatchObject({
      suite: 'policies',
      lib: 'sluice',
      backend: 'memory',
      keys: 10_000,
    });
    expect(keys.bytes).toBeGreaterThan(0);
    expect(keys.bytes).toBe(Number(keys.heap_bytes) + Number(keys.external_bytes));
  }, 20_000);
});
