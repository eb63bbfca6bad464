import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors/index.js';
import {
  breakerVerdict,
  evaluateHealth,
  freshnessVerdict,
  leaseReclaimVerdict,
  successRateVerdict,
  worstStatus,
} from './health.js';
import { healthHttpStatus, toHealthJson, toHealthJsonStatus } from './health-json.js';

describe('successRateVerdict', () => {
  it.each([
    [81, 19, 'healthy'],
    [80, 20, 'degraded'],
    [50, 50, 'degraded'],
    [49, 51, 'unhealthy'],
    [0, 10, 'unhealthy'],
  ] as const)('%i ok / %i failed -> %s', (ok, failed, status) => {
    expect(successRateVerdict(ok, failed).status).toBe(status);
  });

  it('takes configurable thresholds', () => {
    expect(successRateVerdict(92, 8, { healthyAbove: 0.95, unhealthyBelow: 0.9 }).status).toBe(
      'degraded',
    );
    expect(successRateVerdict(85, 15, { healthyAbove: 0.95, unhealthyBelow: 0.9 }).status).toBe(
      'unhealthy',
    );
  });

  it('does not judge too few samples', () => {
    const v = successRateVerdict(0, 4);
    expect(v.status).toBe('healthy');
    expect(v.reason).toMatch(/too few/);
    expect(successRateVerdict(0, 1, { minSamples: 1 }).status).toBe('unhealthy');
  });

  it('refuses thresholds that make no sense, naming the field', () => {
    expect(() => successRateVerdict(1, 1, { healthyAbove: 0.4 })).toThrow(InvalidConfigError);
    expect(() => successRateVerdict(1, 1, { healthyAbove: 0.4 })).toThrow(/unhealthyBelow/);
    expect(() => successRateVerdict(1, 1, { healthyAbove: 2 })).toThrow(/healthyAbove/);
    expect(() => successRateVerdict(1, 1, { minSamples: -1 })).toThrow(/minSamples/);
  });
});

describe('the other verdicts', () => {
  it('breakers: all open is unhealthy, some open or half-open degraded', () => {
    expect(breakerVerdict({ open: 1 }).status).toBe('unhealthy');
    expect(breakerVerdict({ open: 3, closed: 0 }).status).toBe('unhealthy');
    expect(breakerVerdict({ open: 1, closed: 4 }).status).toBe('degraded');
    expect(breakerVerdict({ halfOpen: 1 }).status).toBe('degraded');
    expect(breakerVerdict({ closed: 5 }).status).toBe('healthy');
    expect(breakerVerdict({}).status).toBe('healthy');
  });

  it('lease reclaims', () => {
    expect(leaseReclaimVerdict(0, 0).status).toBe('healthy');
    expect(leaseReclaimVerdict(5, 100).status).toBe('healthy');
    expect(leaseReclaimVerdict(6, 100).status).toBe('degraded');
    expect(leaseReclaimVerdict(51, 100).status).toBe('unhealthy');
    expect(leaseReclaimVerdict(2, 100, { degradedAbove: 0.01 }).status).toBe('degraded');
  });

  it('freshness: stale only with work waiting', () => {
    const base = { nowMs: 1_000_000, staleAfterMs: 60_000 };
    expect(freshnessVerdict({ ...base, lastSuccessAtMs: 900_000 }).status).toBe('degraded');
    expect(freshnessVerdict({ ...base, lastSuccessAtMs: 900_000, pending: 0 }).status).toBe(
      'healthy',
    );
    expect(freshnessVerdict({ ...base, lastSuccessAtMs: 990_000, pending: 9 }).status).toBe(
      'healthy',
    );
    const never = freshnessVerdict({ ...base, sinceMs: 0, pending: 3 });
    expect(never).toMatchObject({ status: 'degraded', observedValue: 1000 });
    expect(never.reason).toMatch(/no success since start/);
    expect(freshnessVerdict(base).status).toBe('healthy');
  });

  it('worstStatus', () => {
    expect(worstStatus([])).toBe('healthy');
    expect(worstStatus(['healthy', 'unhealthy', 'degraded'])).toBe('unhealthy');
  });
});

describe('evaluateHealth', () => {
  const nowMs = Date.parse('2026-01-01T00:00:00Z');

  it('combines stages, services, breakers, leases and dependencies into the worst status', () => {
    const report = evaluateHealth({
      nowMs,
      stages: [
        { stage: 'extract', successes: 95, failures: 5, lastSuccessAtMs: nowMs - 1000 },
        { stage: 'download', successes: 70, failures: 30 },
      ],
      services: [
        { service: 'images', successes: 90, failures: 10, breakers: { open: 1, closed: 3 } },
      ],
      leases: { reclaimed: 1, claimed: 100 },
      dependencies: [
        { name: 'database', ok: true, critical: true, durationMs: 3 },
        { name: 'redis', ok: false, critical: false, durationMs: 2000, error: 'timed out' },
      ],
    });
    expect(report.status).toBe('degraded');
    expect(Object.keys(report.checks).sort()).toEqual([
      'database:responseTime',
      'download:freshness',
      'download:successRate',
      'extract:freshness',
      'extract:successRate',
      'images:breakers',
      'images:successRate',
      'leases:reclaimRate',
      'redis:responseTime',
    ]);
    expect(report.checks['download:successRate']![0]).toMatchObject({
      status: 'degraded',
      componentType: 'stage',
      observedValue: 0.7,
    });
    expect(report.reasons).toEqual([
      'stage download: success rate 70.0% not above 80.0% (degraded)',
      'service images: 1 of 4 breakers open, 0 half-open (degraded)',
      'dependency redis: timed out (degraded)',
    ]);
    expect(report.time).toBe('2026-01-01T00:00:00.000Z');
  });

  it('is unhealthy when a critical dependency fails or a service has every breaker open', () => {
    expect(
      evaluateHealth({
        nowMs,
        dependencies: [{ name: 'database', ok: false, critical: true, durationMs: 1, error: 'x' }],
      }).status,
    ).toBe('unhealthy');
    expect(
      evaluateHealth({
        nowMs,
        services: [{ service: 'llm', successes: 0, failures: 0, breakers: { open: 1 } }],
      }).status,
    ).toBe('unhealthy');
    expect(evaluateHealth({ nowMs }).status).toBe('healthy');
  });

  it('maps onto application/health+json', () => {
    const report = evaluateHealth({
      nowMs,
      stages: [{ stage: 'download', successes: 10, failures: 90 }],
    });
    const json = toHealthJson(report, { serviceId: 'sluice-worker', version: '1' });
    expect(json).toMatchObject({
      status: 'fail',
      serviceId: 'sluice-worker',
      version: '1',
      output: 'stage download: success rate 10.0% below 50.0% (unhealthy)',
      checks: {
        'download:successRate': [
          {
            componentId: 'download',
            componentType: 'stage',
            status: 'fail',
            observedValue: 0.1,
            observedUnit: 'ratio',
            time: '2026-01-01T00:00:00.000Z',
          },
        ],
      },
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(toHealthJsonStatus('healthy')).toBe('pass');
    expect(toHealthJsonStatus('degraded')).toBe('warn');
    expect([healthHttpStatus('healthy'), healthHttpStatus('degraded')]).toEqual([200, 200]);
    expect(healthHttpStatus('unhealthy')).toBe(503);
  });
});
