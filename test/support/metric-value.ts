/**
 * Test helper: the value of one series of a prom-client registry, by full series name (with
 * `_bucket`/`_sum`/`_count` for histograms) and exact labels; undefined if there is none.
 */
import type { Registry } from 'prom-client';

interface Value {
  readonly value: number;
  readonly labels: Record<string, unknown>;
  readonly metricName?: string;
}

export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const v of metric.values as Value[]) {
      if ((v.metricName ?? metric.name) !== name) continue;
      const keys = Object.keys(v.labels);
      if (keys.length !== Object.keys(labels).length) continue;
      if (keys.every((k) => String(v.labels[k]) === labels[k])) return v.value;
    }
  }
  return undefined;
}
