/**
 * Why: the answer to "how did the run go?" that is stored with the run, printed by the CLI and
 * returned by the API: per stage what happened to the items and how long attempts took, per
 * service how calls went, and whatever usage handlers reported (`ctx.metrics.add('tokens', n)`).
 *
 * Definitions: `attempts` counts every finished attempt; `processed` the items that left the
 * stage for good (completed, degraded, dead, skipped); `failed` = dead; `retried` = attempts
 * that ended in a retry; successRate = (completed + degraded) / (attempts that were judged:
 * completed, degraded, retry, dead), null before any. p50/p95 come from a QuantileSketch (within
 * 1% of a true sample value). `toState()`/`fromState()` keep the sketches so a resumed run's
 * summary continues; `snapshot()` is the plain JSON for people and APIs.
 */
import { InvalidConfigError } from '../errors/index.js';
import type { ExternalCallOutcome, ItemOutcome } from './metric-catalog.js';
import { QuantileSketch, type QuantileSketchState } from './quantile-sketch.js';

export interface StageSummary {
  readonly attempts: number;
  readonly processed: number;
  readonly completed: number;
  readonly degraded: number;
  readonly failed: number;
  readonly retried: number;
  readonly skipped: number;
  readonly released: number;
  readonly successRate: number | null;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly meanMs: number | null;
}

export interface ServiceSummary {
  readonly calls: number;
  readonly failures: number;
  readonly fallbacks: number;
  readonly breakerTrips: number;
  readonly successRate: number | null;
  readonly p95Ms: number | null;
}

export interface RunSummary {
  readonly runId?: string;
  readonly pipeline?: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly durationMs: number;
  readonly stages: Readonly<Record<string, StageSummary>>;
  readonly services: Readonly<Record<string, ServiceSummary>>;
  readonly usage: Readonly<Record<string, number>>;
}

type StageCounts = Record<ItemOutcome, number>;
interface ServiceCounts {
  calls: number;
  failures: number;
  fallbacks: number;
  breakerTrips: number;
}

/** What toState() returns: counts and sketches, JSON-serialisable. */
export interface RunSummaryState {
  readonly runId?: string;
  readonly pipeline?: string;
  readonly startedAtMs: number;
  readonly finishedAtMs?: number;
  readonly stages: Readonly<
    Record<string, { readonly counts: StageCounts; readonly durations: QuantileSketchState }>
  >;
  readonly services: Readonly<
    Record<string, { readonly counts: ServiceCounts; readonly durations: QuantileSketchState }>
  >;
  readonly usage: Readonly<Record<string, number>>;
}

export interface RunSummaryOptions {
  readonly runId?: string;
  readonly pipeline?: string;
  readonly now?: () => number;
}

const zeroStage = (): StageCounts => ({
  completed: 0,
  degraded: 0,
  retry: 0,
  dead: 0,
  skipped: 0,
  released: 0,
});

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);
const rounded = (v: number | undefined) => (v === undefined ? null : Math.round(v * 1000) / 1000);

export class RunSummaryBuilder {
  readonly #options: RunSummaryOptions;
  readonly #now: () => number;
  #startedAtMs: number;
  #finishedAtMs: number | undefined;
  readonly #stages = new Map<string, { counts: StageCounts; durations: QuantileSketch }>();
  readonly #services = new Map<string, { counts: ServiceCounts; durations: QuantileSketch }>();
  readonly #usage = new Map<string, number>();

  constructor(options: RunSummaryOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#startedAtMs = this.#now();
  }

  recordAttempt(event: { stage: string; outcome: ItemOutcome; durationMs?: number }): void {
    let entry = this.#stages.get(event.stage);
    if (entry === undefined) {
      entry = { counts: zeroStage(), durations: new QuantileSketch() };
      this.#stages.set(event.stage, entry);
    }
    entry.counts[event.outcome] += 1;
    if (event.durationMs !== undefined) entry.durations.add(event.durationMs);
  }

  recordCall(event: { service: string; outcome: ExternalCallOutcome; durationMs?: number }): void {
    const entry = this.#service(event.service);
    entry.counts.calls += 1;
    if (event.outcome !== 'success') entry.counts.failures += 1;
    if (event.outcome === 'fallback') entry.counts.fallbacks += 1;
    if (event.durationMs !== undefined) entry.durations.add(event.durationMs);
  }

  /** A breaker of the service opened (closed or half-open -> open). */
  recordBreakerTrip(service: string): void {
    this.#service(service).counts.breakerTrips += 1;
  }

  /** A usage counter, e.g. `add('tokens', 1200)`. */
  add(name: string, amount: number): void {
    if (typeof name !== 'string' || name === '') {
      throw new InvalidConfigError('usage name', 'a non-empty string', name);
    }
    if (!Number.isFinite(amount)) {
      throw new InvalidConfigError(`usage "${name}" amount`, 'a finite number', amount);
    }
    this.#usage.set(name, (this.#usage.get(name) ?? 0) + amount);
  }

  finish(atMs: number = this.#now()): void {
    this.#finishedAtMs = atMs;
  }

  snapshot(): RunSummary {
    const end = this.#finishedAtMs ?? this.#now();
    const stages: Record<string, StageSummary> = {};
    for (const [name, { counts: c, durations: d }] of this.#stages) {
      const ok = c.completed + c.degraded;
      const attempts = ok + c.retry + c.dead + c.skipped + c.released;
      stages[name] = {
        attempts,
        processed: ok + c.dead + c.skipped,
        completed: c.completed,
        degraded: c.degraded,
        failed: c.dead,
        retried: c.retry,
        skipped: c.skipped,
        released: c.released,
        successRate: ratio(ok, ok + c.retry + c.dead),
        p50Ms: rounded(d.quantile(0.5)),
        p95Ms: rounded(d.quantile(0.95)),
        meanMs: d.count > 0 ? rounded(d.sum / d.count) : null,
      };
    }
    const services: Record<string, ServiceSummary> = {};
    for (const [name, { counts: c, durations: d }] of this.#services) {
      services[name] = {
        ...c,
        successRate: ratio(c.calls - c.failures, c.calls),
        p95Ms: rounded(d.quantile(0.95)),
      };
    }
    return {
      ...(this.#options.runId === undefined ? {} : { runId: this.#options.runId }),
      ...(this.#options.pipeline === undefined ? {} : { pipeline: this.#options.pipeline }),
      startedAt: new Date(this.#startedAtMs).toISOString(),
      ...(this.#finishedAtMs === undefined
        ? {}
        : { finishedAt: new Date(this.#finishedAtMs).toISOString() }),
      durationMs: Math.max(0, end - this.#startedAtMs),
      stages,
      services,
      usage: Object.fromEntries(this.#usage),
    };
  }

  toJSON(): RunSummary {
    return this.snapshot();
  }

  toState(): RunSummaryState {
    const map = <C>(m: Map<string, { counts: C; durations: QuantileSketch }>) =>
      Object.fromEntries(
        [...m].map(([k, v]) => [k, { counts: { ...v.counts }, durations: v.durations.toJSON() }]),
      );
    return {
      ...(this.#options.runId === undefined ? {} : { runId: this.#options.runId }),
      ...(this.#options.pipeline === undefined ? {} : { pipeline: this.#options.pipeline }),
      startedAtMs: this.#startedAtMs,
      ...(this.#finishedAtMs === undefined ? {} : { finishedAtMs: this.#finishedAtMs }),
      stages: map(this.#stages),
      services: map(this.#services),
      usage: Object.fromEntries(this.#usage),
    };
  }

  /** Continues a summary saved with toState() (a resumed run). */
  static fromState(state: RunSummaryState, options: Pick<RunSummaryOptions, 'now'> = {}) {
    const builder = new RunSummaryBuilder({
      ...options,
      ...(state.runId === undefined ? {} : { runId: state.runId }),
      ...(state.pipeline === undefined ? {} : { pipeline: state.pipeline }),
    });
    builder.#startedAtMs = state.startedAtMs;
    builder.#finishedAtMs = state.finishedAtMs;
    for (const [name, s] of Object.entries(state.stages)) {
      builder.#stages.set(name, {
        counts: { ...zeroStage(), ...s.counts },
        durations: QuantileSketch.fromJSON(s.durations),
      });
    }
    for (const [name, s] of Object.entries(state.services)) {
      builder.#services.set(name, {
        counts: { ...s.counts },
        durations: QuantileSketch.fromJSON(s.durations),
      });
    }
    for (const [name, n] of Object.entries(state.usage)) builder.#usage.set(name, n);
    return builder;
  }

  #service(service: string): { counts: ServiceCounts; durations: QuantileSketch } {
    let entry = this.#services.get(service);
    if (entry === undefined) {
      entry = {
        counts: { calls: 0, failures: 0, fallbacks: 0, breakerTrips: 0 },
        durations: new QuantileSketch(),
      };
      this.#services.set(service, entry);
    }
    return entry;
  }
}
