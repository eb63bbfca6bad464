/**
 * Why: the engine, the HTTP client and the cache should report what happened in their own words
 * (`itemProcessed`, `externalCall`, `breakerTransition`), not juggle prom-client objects and
 * label spellings. `createMetrics` builds our own Registry from the metric catalog and returns
 * typed recording methods; `createNoopMetrics` returns the same interface doing nothing, for
 * metrics off. Recording never throws: a bad number is dropped, an unbounded label value is
 * folded by the LabelGuard.
 */
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type Aggregator,
  type LabelValues,
} from 'prom-client';
import type { FailureCategory } from '../errors/index.js';
import { HotCounter, HotGauge, HotHistogram } from './hot-series.js';
import { LabelGuard, type LabelGuardOptions } from './label-guard.js';
import {
  metricCatalog,
  type BreakerStateName,
  type ExternalCallOutcome,
  type ItemOutcome,
  type MetricSpec,
  type QueueState,
} from './metric-catalog.js';

export interface StageLabels {
  readonly pipeline: string;
  readonly stage: string;
}

/** What the rest of Sluice calls to record metrics. */
export interface MetricsRecorder {
  /** One item-stage attempt finished. Completed or degraded ones also stamp the stage's last success. */
  itemProcessed(event: StageLabels & { outcome: ItemOutcome; durationSeconds?: number }): void;
  /** Item counts of a stage by state, as just read from the store; absent states are left alone. */
  setQueueDepth(labels: StageLabels, depths: Partial<Record<QueueState, number>>): void;
  setItemsInFlight(labels: StageLabels & { count: number }): void;
  leasesReclaimed(event: { pipeline: string; count: number }): void;
  /** An external call failed with `category` and will be tried again. */
  retried(event: { service: string; category: FailureCategory }): void;
  /**
   * A breaker of `service` changed state. `key` names the breaker among the service's (a host, a
   * domain); it is never a label, only used to count breakers per state.
   */
  breakerTransition(event: {
    service: string;
    key?: string;
    from: BreakerStateName;
    to: BreakerStateName;
  }): void;
  /** Sets the per-state breaker counts of a service outright (e.g. read from shared state). */
  setBreakerStates(service: string, counts: Partial<Record<BreakerStateName, number>>): void;
  /** A per-key breaker was evicted: stop counting it. */
  forgetBreaker(event: { service: string; key?: string }): void;
  rateLimitWaited(event: { service: string; waitSeconds: number }): void;
  rateLimitRejected(event: { service: string }): void;
  externalCall(event: {
    service: string;
    outcome: ExternalCallOutcome;
    durationSeconds?: number;
  }): void;
  cacheHit(event: { cache: string }): void;
  cacheMiss(event: { cache: string }): void;
  cacheEvicted(event: { cache: string; count?: number }): void;
  setCacheSize(event: { cache: string; bytes: number; warningBytes?: number }): void;
  /** Whether the fleet's shared coordination (`redis`, `postgres`) is in use right now. */
  setCoordinationShared(event: { backend: string; shared: boolean }): void;
  coordinationFellBack(event: { backend: string }): void;
  /** The pipeline saved a checkpoint at `atMs` (default now); the age is computed at scrape time. */
  checkpointSaved(event: { pipeline: string; atMs?: number }): void;
  /** A handler's `ctx.metrics.add(name, amount)`. */
  usage(event: { pipeline: string; name: string; amount: number }): void;
}

export interface SluiceMetrics extends MetricsRecorder {
  readonly registry: Registry;
  /** The text exposition for GET /metrics. */
  exposition(): Promise<string>;
  readonly contentType: string;
  /** Zeroes every metric (tests, per-batch resets). */
  reset(): void;
}

export interface CreateMetricsOptions extends LabelGuardOptions {
  /** Register into this registry instead of a new one of our own. */
  readonly registry?: Registry;
  /** Prepended to every metric name, default `sluice_`. */
  readonly prefix?: string;
  /** Also collect prom-client's process and Node.js metrics (prefixed), default true. */
  readonly defaultMetrics?: boolean;
  /** Wall clock in ms (tests inject one), default Date.now. */
  readonly now?: () => number;
}

type Labels = LabelValues<string>;

const finite = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n);
const nonNegative = (n: number | undefined): n is number => finite(n) && n >= 0;

export function createMetrics(options: CreateMetricsOptions = {}): SluiceMetrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? 'sluice_';
  const now = options.now ?? Date.now;
  const guard = new LabelGuard(options);
  const checkpoints = new Map<string, number>();
  const breakers = new Map<string, { keys: Map<string, BreakerStateName>; counts: Counts }>();
  const itemChildren = new Map<
    string,
    {
      processed: { inc(): void };
      duration: { observe(value: number): void };
      lastSuccess: { set(value: number): void };
    }
  >();

  const base = (spec: MetricSpec, collect?: () => void) => ({
    name: prefix + spec.name,
    help: spec.help,
    labelNames: spec.labelNames,
    registers: [registry],
    ...(spec.aggregator ? { aggregator: spec.aggregator satisfies Aggregator } : {}),
    ...(collect ? { collect } : {}),
  });
  const counter = (spec: MetricSpec) => new Counter(base(spec));
  const gauge = (spec: MetricSpec, collect?: () => void) => new Gauge(base(spec, collect));
  const histogram = (spec: MetricSpec) =>
    new Histogram({ ...base(spec), buckets: [...(spec.buckets ?? [])] });

  // Recorded once per item attempt: kept as plain numbers, read by the registry (hot-series.ts).
  const hot = (spec: MetricSpec) => ({
    name: prefix + spec.name,
    help: spec.help,
    labelNames: spec.labelNames,
    registry,
    ...(spec.aggregator ? { aggregator: spec.aggregator } : {}),
  });
  const c = metricCatalog;
  const itemsProcessed = new HotCounter(hot(c.itemsProcessed));
  const itemDuration = new HotHistogram({
    ...hot(c.itemDuration),
    buckets: c.itemDuration.buckets ?? [],
  });
  const queueDepth = gauge(c.queueDepth);
  const itemsInFlight = gauge(c.itemsInFlight);
  const leasesReclaimed = counter(c.leasesReclaimed);
  const retries = counter(c.retries);
  const breakerState = gauge(c.breakerState);
  const breakerTransitions = counter(c.breakerTransitions);
  const rateLimitWaits = counter(c.rateLimitWaits);
  const coordinationShared = gauge(c.coordinationShared);
  const coordinationFallbacks = counter(c.coordinationFallbacks);
  const rateLimitRejections = counter(c.rateLimitRejections);
  const rateLimitWait = histogram(c.rateLimitWait);
  const callDuration = histogram(c.externalCallDuration);
  const externalCalls = counter(c.externalCalls);
  const cacheSize = gauge(c.cacheSize);
  const cacheSizeWarning = gauge(c.cacheSizeWarning);
  const cacheHits = counter(c.cacheHits);
  const cacheMisses = counter(c.cacheMisses);
  const cacheEvictions = counter(c.cacheEvictions);
  const checkpointAge = gauge(c.checkpointAge, () => {
    const t = now();
    for (const [pipeline, at] of checkpoints) {
      checkpointAge.set({ pipeline }, Math.max(0, (t - at) / 1000));
    }
  });
  const stageLastSuccess = new HotGauge(hot(c.stageLastSuccess));
  const usage = counter(c.usage);

  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix });
    // Gauges named *_total break Prometheus naming rules (`promtool check metrics` fails on
    // them); each only sums the per-type series of its sibling without `_total`.
    for (const name of lintFailingDefaults) registry.removeSingleMetric(prefix + name);
  }

  const g = (label: string, value: string) => guard.value(label, value);
  const stage = (l: StageLabels): Labels => ({
    pipeline: g('pipeline', l.pipeline),
    stage: g('stage', l.stage),
  });
  const svc = (service: string): Labels => ({ service: g('service', service) });
  const cache = (name: string): Labels => ({ cache: g('cache', name) });

  const publishBreakers = (service: string, counts: Counts) => {
    const labels = svc(service);
    for (const state of ['closed', 'open', 'half_open'] as const) {
      breakerState.set({ ...labels, state }, counts[state]);
    }
  };

  return {
    registry,
    contentType: registry.contentType,
    exposition: () => registry.metrics(),
    reset() {
      registry.resetMetrics();
      checkpoints.clear();
      breakers.clear();
      itemChildren.clear();
    },

    itemProcessed({ pipeline, stage: name, outcome, durationSeconds }) {
      // The hot path of the engine (once per attempt): label children are looked up once per
      // (pipeline, stage, outcome) and kept, instead of hashing label objects on every call.
      const key = `${pipeline}\u0000${name}\u0000${outcome}`;
      let children = itemChildren.get(key);
      if (children === undefined) {
        const labels = stage({ pipeline, stage: name });
        children = {
          processed: itemsProcessed.child({ ...labels, outcome: g('outcome', outcome) }),
          duration: itemDuration.child(labels),
          lastSuccess: stageLastSuccess.child(labels),
        };
        itemChildren.set(key, children);
      }
      children.processed.inc();
      if (nonNegative(durationSeconds)) children.duration.observe(durationSeconds);
      if (outcome === 'completed' || outcome === 'degraded') children.lastSuccess.set(now() / 1000);
    },
    setQueueDepth(labels, depths) {
      const l = stage(labels);
      for (const [state, depth] of Object.entries(depths)) {
        if (nonNegative(depth)) queueDepth.set({ ...l, state: g('state', state) }, depth);
      }
    },
    setItemsInFlight({ count, ...labels }) {
      if (nonNegative(count)) itemsInFlight.set(stage(labels), count);
    },
    leasesReclaimed({ pipeline, count }) {
      if (nonNegative(count)) leasesReclaimed.inc({ pipeline: g('pipeline', pipeline) }, count);
    },
    retried({ service, category }) {
      retries.inc({ ...svc(service), category: g('category', category) });
    },
    breakerTransition({ service, key = '', from, to }) {
      breakerTransitions.inc({ ...svc(service), from: g('from', from), to: g('to', to) });
      let entry = breakers.get(service);
      if (entry === undefined) {
        entry = { keys: new Map(), counts: zeroCounts() };
        breakers.set(service, entry);
      }
      const previous = entry.keys.get(key);
      if (previous !== undefined) entry.counts[previous] -= 1;
      entry.keys.set(key, to);
      entry.counts[to] += 1;
      publishBreakers(service, entry.counts);
    },
    setBreakerStates(service, counts) {
      const all = { ...zeroCounts(), ...counts };
      if (!Object.values(all).every(nonNegative)) return;
      breakers.delete(service);
      publishBreakers(service, all);
    },
    forgetBreaker({ service, key = '' }) {
      const entry = breakers.get(service);
      const previous = entry?.keys.get(key);
      if (entry === undefined || previous === undefined) return;
      entry.keys.delete(key);
      entry.counts[previous] -= 1;
      publishBreakers(service, entry.counts);
    },
    rateLimitWaited({ service, waitSeconds }) {
      const labels = svc(service);
      rateLimitWaits.inc(labels);
      if (nonNegative(waitSeconds)) rateLimitWait.observe(labels, waitSeconds);
    },
    rateLimitRejected({ service }) {
      rateLimitRejections.inc(svc(service));
    },
    externalCall({ service, outcome, durationSeconds }) {
      const labels = svc(service);
      externalCalls.inc({ ...labels, outcome: g('outcome', outcome) });
      if (nonNegative(durationSeconds)) callDuration.observe(labels, durationSeconds);
    },
    cacheHit({ cache: name }) {
      cacheHits.inc(cache(name));
    },
    cacheMiss({ cache: name }) {
      cacheMisses.inc(cache(name));
    },
    cacheEvicted({ cache: name, count = 1 }) {
      if (nonNegative(count)) cacheEvictions.inc(cache(name), count);
    },
    setCacheSize({ cache: name, bytes, warningBytes }) {
      const labels = cache(name);
      if (nonNegative(bytes)) cacheSize.set(labels, bytes);
      if (nonNegative(warningBytes)) cacheSizeWarning.set(labels, warningBytes);
    },
    setCoordinationShared({ backend, shared }) {
      coordinationShared.set({ backend: g('backend', backend) }, shared ? 1 : 0);
    },
    coordinationFellBack({ backend }) {
      coordinationFallbacks.inc({ backend: g('backend', backend) });
      coordinationShared.set({ backend: g('backend', backend) }, 0);
    },
    checkpointSaved({ pipeline, atMs }) {
      checkpoints.set(g('pipeline', pipeline), finite(atMs) ? atMs : now());
    },
    usage({ pipeline, name, amount }) {
      if (nonNegative(amount)) {
        usage.inc({ pipeline: g('pipeline', pipeline), name: g('name', name) }, amount);
      }
    },
  };
}

const lintFailingDefaults = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

type Counts = Record<BreakerStateName, number>;
const zeroCounts = (): Counts => ({ closed: 0, open: 0, half_open: 0 });

/** The same interface doing nothing, for metrics off (and the overhead benchmark's baseline). */
export function createNoopMetrics(): MetricsRecorder {
  const noop = () => {};
  return {
    itemProcessed: noop,
    setQueueDepth: noop,
    setItemsInFlight: noop,
    leasesReclaimed: noop,
    retried: noop,
    breakerTransition: noop,
    setBreakerStates: noop,
    forgetBreaker: noop,
    rateLimitWaited: noop,
    rateLimitRejected: noop,
    externalCall: noop,
    cacheHit: noop,
    cacheMiss: noop,
    cacheEvicted: noop,
    setCacheSize: noop,
    setCoordinationShared: noop,
    coordinationFellBack: noop,
    checkpointSaved: noop,
    usage: noop,
  };
}
