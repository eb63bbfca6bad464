import type { Aggregator, LabelValues, MetricObjectWithValues, Registry } from 'prom-client';

/**
 * Why: the engine records three series once per item attempt (items processed, item duration,
 * last success), and prom-client's `labels(...)` children re-hash their label object on every
 * `inc`/`observe`/`set` (hashObject sorts the keys and joins a string), which cost about 2.5 µs
 * per item, a sixth of a no-op queue job. These metrics keep each label set's numbers in a plain
 * object the caller holds, and hand prom-client the usual values only when the registry is read
 * (a scrape, a merge): same names, types, aggregators and exposition, no per-call hashing.
 *
 * They are registered in the registry like any metric (prom-client reads `get()` and calls
 * `reset()`), so `registry.metrics()`, `getMetricsAsJSON()`, `resetMetrics()` and the
 * multi-process merge treat them like its own.
 */
export type HotLabels = Readonly<LabelValues<string>>;

/** One sample as prom-client's registry reads it (metricName for a histogram's parts). */
interface Sample {
  readonly labels: Readonly<Record<string, string | number | undefined>>;
  readonly value: number;
  readonly metricName?: string;
}

export interface HotSeriesSpec {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly aggregator?: Aggregator;
  readonly registry: Registry;
}

abstract class HotSeries<C extends { readonly labels: HotLabels }> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly aggregator: Aggregator;
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  protected readonly children = new Map<string, C>();

  constructor(spec: HotSeriesSpec) {
    this.name = spec.name;
    this.help = spec.help;
    this.labelNames = spec.labelNames;
    this.aggregator = spec.aggregator ?? 'sum';
    spec.registry.registerMetric(this as never);
  }

  /** The child of one label set, created on first use; callers keep it and record on it. */
  child(labels: HotLabels): C {
    const key = this.labelNames.map((name) => labels[name] ?? '').join('\u0000');
    let child = this.children.get(key);
    if (child === undefined) {
      child = this.create({ ...labels });
      this.children.set(key, child);
    }
    return child;
  }

  protected abstract create(labels: HotLabels): C;
  /** The child's samples; none until it was first recorded on, as prom-client does. */
  protected abstract values(child: C): Sample[];

  get(): Promise<MetricObjectWithValues<never>> {
    const values: Sample[] = [];
    for (const child of this.children.values()) values.push(...this.values(child));
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    } as unknown as MetricObjectWithValues<never>);
  }

  /** Forgets every label set; children handed out before keep counting, unseen: fetch again. */
  reset(): void {
    this.children.clear();
  }
}

export class HotCounterChild {
  value = 0;
  touched = false;
  constructor(readonly labels: HotLabels) {}
  inc(amount = 1): void {
    this.value += amount;
    this.touched = true;
  }
}

export class HotCounter extends HotSeries<HotCounterChild> {
  readonly type = 'counter';
  protected create(labels: HotLabels): HotCounterChild {
    return new HotCounterChild(labels);
  }
  protected values(child: HotCounterChild): Sample[] {
    return child.touched ? [{ labels: child.labels, value: child.value }] : [];
  }
}

export class HotGaugeChild {
  value = 0;
  touched = false;
  constructor(readonly labels: HotLabels) {}
  set(value: number): void {
    this.value = value;
    this.touched = true;
  }
}

export class HotGauge extends HotSeries<HotGaugeChild> {
  readonly type = 'gauge';
  protected create(labels: HotLabels): HotGaugeChild {
    return new HotGaugeChild(labels);
  }
  protected values(child: HotGaugeChild): Sample[] {
    return child.touched ? [{ labels: child.labels, value: child.value }] : [];
  }
}

export class HotHistogramChild {
  /** Observations per bucket (not cumulative); the last slot is above every bound (+Inf). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: HotLabels,
    readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

export class HotHistogram extends HotSeries<HotHistogramChild> {
  readonly type = 'histogram';
  readonly bounds: readonly number[];

  constructor(spec: HotSeriesSpec & { readonly buckets: readonly number[] }) {
    super(spec);
    this.bounds = [...spec.buckets].sort((a, b) => a - b);
  }

  protected create(labels: HotLabels): HotHistogramChild {
    return new HotHistogramChild(labels, this.bounds);
  }

  // As prom-client's Histogram lays them out: cumulative buckets by `le`, then +Inf, sum, count.
  protected values(child: HotHistogramChild): Sample[] {
    if (child.count === 0) return [];
    const bucket = `${this.name}_bucket`;
    const values: Sample[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += child.counts[i]!;
      values.push({
        labels: { le: this.bounds[i]!, ...child.labels },
        value: cumulative,
        metricName: bucket,
      });
    }
    values.push(
      { labels: { le: '+Inf', ...child.labels }, value: child.count, metricName: bucket },
      { labels: child.labels, value: child.sum, metricName: `${this.name}_sum` },
      { labels: child.labels, value: child.count, metricName: `${this.name}_count` },
    );
    return values;
  }
}
