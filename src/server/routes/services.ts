/**
 * Service health over time: the per-minute (or whatever bucket the engine writes) samples the
 * store's service health table holds for a service, each with its success rate and mean latency,
 * and the totals over the window. Default window: the last hour.
 */
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { serviceHealthQuery, serviceParams } from '../request-schemas.js';
import type { RouteContext } from './context.js';

const defaultWindowMs = 60 * 60 * 1000;

export function serviceRoutes({ store, now }: RouteContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/services/:service/health',
      summary: 'Success rate and latency samples of a service over time',
      replaces: 'GET service-health/{service}',
      params: serviceParams,
      query: serviceHealthQuery,
      handle: async ({ params: { service }, query }) => {
        const since = query.since ?? now() - defaultWindowMs;
        const samples = await store.listHealthSamples(service, since);
        let calls = 0;
        let failures = 0;
        let durationMs = 0;
        const points = samples.map((s) => {
          calls += s.calls;
          failures += s.failures;
          durationMs += s.durationMs;
          return {
            at: s.bucketStart,
            calls: s.calls,
            failures: s.failures,
            slowCalls: s.slowCalls,
            rejected: s.rejected,
            successRate: s.calls === 0 ? null : (s.calls - s.failures) / s.calls,
            meanLatencyMs: s.calls === 0 ? null : s.durationMs / s.calls,
          };
        });
        return {
          service,
          since,
          calls,
          successRate: calls === 0 ? null : (calls - failures) / calls,
          meanLatencyMs: calls === 0 ? null : durationMs / calls,
          samples: points,
        };
      },
    }),
  ];
}
