import { describe, expect, it } from 'vitest';
import { evaluateHealth } from './health.js';
import { HealthTracker } from './health-tracker.js';
import { SuccessWindow } from './success-window.js';

describe('SuccessWindow', () => {
  it('forgets what is older than the window', () => {
    let now = 0;
    const w = new SuccessWindow({ windowMs: 10_000, buckets: 10, now: () => now });
    w.record(false, 5);
    now = 5_000;
    w.record(true, 3);
    expect(w.counts()).toEqual({ successes: 3, failures: 5 });
    now = 10_500; // the failures' bucket (0..1 s) has left the window
    expect(w.counts()).toEqual({ successes: 3, failures: 0 });
    now = 100_000;
    expect(w.counts()).toEqual({ successes: 0, failures: 0 });
  });

  it('refuses a bad shape', () => {
    expect(() => new SuccessWindow({ buckets: 0 })).toThrow(/buckets/);
    expect(() => new SuccessWindow({ windowMs: 5, buckets: 10 })).toThrow(/windowMs/);
  });
});

describe('HealthTracker', () => {
  it('gathers what evaluateHealth needs', () => {
    let now = 1_000_000;
    const tracker = new HealthTracker({ now: () => now });
    for (let i = 0; i < 8; i++) tracker.recordAttempt('download', i < 3);
    tracker.recordCall('images', true);
    tracker.setBreakers('images', { open: 1, closed: 1 });
    tracker.recordClaims(10);
    tracker.recordReclaims(2);
    now += 1000;
    const input = tracker.input({ download: 4 });
    expect(input).toEqual({
      nowMs: now,
      stages: [
        {
          stage: 'download',
          successes: 3,
          failures: 5,
          sinceMs: 1_000_000,
          lastSuccessAtMs: 1_000_000,
          pending: 4,
        },
      ],
      services: [
        { service: 'images', successes: 1, failures: 0, breakers: { open: 1, closed: 1 } },
      ],
      leases: { claimed: 10, reclaimed: 2 },
    });
    const report = evaluateHealth(input);
    expect(report.status).toBe('unhealthy');
    expect(report.checks['leases:reclaimRate']![0]!.status).toBe('degraded');
  });
});
