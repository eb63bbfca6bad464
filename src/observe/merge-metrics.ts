/**
 * Why: each worker process keeps its own registry. The recommended set-up is that Prometheus
 * scrapes every worker's /metrics and sums across `instance` (docs/metrics.md). When one endpoint
 * must speak for several workers (one port per host, a supervisor process), the workers send
 * `registry.getMetricsAsJSON()` to it and it serves `mergeMetrics(...)`: counters and histograms
 * are summed; gauges use the aggregator set in the metric catalog (queue depth read from the
 * shared store takes the max, not the sum of identical copies).
 */
import {
  AggregatorRegistry,
  Registry,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';

/** One worker's metrics: its registry, or what its `registry.getMetricsAsJSON()` returned. */
export type WorkerMetrics = Registry | readonly MetricObjectWithValues<MetricValue<string>>[];

/** Aggregates several workers' metrics into one registry (serve it with `.metrics()`). */
export async function mergeMetrics(workers: readonly WorkerMetrics[]): Promise<Registry> {
  const snapshots = await Promise.all(
    workers.map((w) => (w instanceof Registry ? w.getMetricsAsJSON() : Promise.resolve(w))),
  );
  return AggregatorRegistry.aggregate(snapshots.map((s) => [...s]));
}
