import { describe, expect, it } from 'vitest';
import type { StageCounts } from '../store/index.js';
import { progressView } from './progress-view.js';

const counts = (c: Partial<StageCounts>): StageCounts => ({
  pending: 0,
  leased: 0,
  completed: 0,
  retry_wait: 0,
  dead: 0,
  skipped: 0,
  total: 0,
  degraded: 0,
  ...c,
});

const frame = {
  runId: 'r1',
  counts: { fetch: counts({ completed: 5, dead: 1, retry_wait: 2, pending: 2, total: 10 }) },
  ratePerSecond: 2,
  breakers: ['images a.example: open'],
};

describe('progressView', () => {
  it('redraws in place on a TTY: moves up over the last frame and clears it', () => {
    let out = '';
    const view = progressView({ write: (t) => (out += t), live: true, color: false });
    view.draw(frame);
    expect(out).toContain('fetch');
    expect(out).toContain('6/10');
    expect(out).toContain('1 failed');
    expect(out).toContain('2 retrying');
    expect(out).toContain('eta 2s');
    expect(out).toContain('breakers: images a.example: open');
    expect(out).not.toContain('\x1b[');
    const lines = out.split('\n').length - 1;
    out = '';
    view.draw(frame);
    expect(out.startsWith(`\x1b[${lines}A\x1b[0J`)).toBe(true);
  });

  it('colours failures only when asked (NO_COLOR leaves it off)', () => {
    let out = '';
    progressView({ write: (t) => (out += t), live: true, color: true }).draw(frame);
    expect(out).toContain('\x1b[31m1 failed\x1b[0m');
  });

  it('writes one plain line per frame when not a TTY, never escape codes', () => {
    let out = '';
    const view = progressView({ write: (t) => (out += t), live: false, color: false });
    view.draw(frame);
    view.draw({ ...frame, ratePerSecond: undefined, breakers: [] });
    expect(out.split('\n')).toEqual([
      'sluice: r1 2.0/s | fetch 6/10 (1 failed, 2 retrying) | breakers: images a.example: open',
      'sluice: r1 | fetch 6/10 (1 failed, 2 retrying)',
      '',
    ]);
  });
});
