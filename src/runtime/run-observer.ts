import type { FailureCategory } from '../errors/index.js';
import {
  HealthTracker,
  RunSummaryBuilder,
  type ExternalCallOutcome,
  type ItemOutcome,
  type MetricsRecorder,
  type RunSummary,
  type SluiceTracing,
} from '../observe/index.js';
import type { CircuitState } from '../policies/index.js';
import type { StageCounts } from '../store/index.js';
import { breakerStateName, type ServiceObserver } from './service-observer.js';
import type { AttemptReport } from './stage-worker.js';

/** Metrics, traces and the run summary of one run, fed by the engine and the services. */
export class RunObserver implements ServiceObserver {
  readonly pipeline: string;
  readonly metrics: MetricsRecorder | undefined;
  readonly tracing: SluiceTracing | undefined;
  readonly summary: RunSummaryBuilder;
  /** Success rates over a sliding window, for health verdicts while the run goes on. */
  readonly health: HealthTracker;
  readonly #breakerStates = new Map<string, Map<string, CircuitState>>();

  constructor(options: {
    readonly runId: string;
    readonly pipeline: string;
    readonly metrics?: MetricsRecorder | undefined;
    readonly tracing?: SluiceTracing | undefined;
    readonly now: () => number;
  }) {
    this.pipeline = options.pipeline;
    this.metrics = options.metrics;
    this.tracing = options.tracing;
    this.health = new HealthTracker({ now: options.now });
    this.summary = new RunSummaryBuilder({
      runId: options.runId,
      pipeline: options.pipeline,
      now: options.now,
    });
  }

  attempt(report: AttemptReport): void {
    if (report.outcome === 'checkpoint') return;
    const outcome = itemOutcome(report);
    this.summary.recordAttempt({ stage: report.stage, outcome, durationMs: report.durationMs });
    if (outcome !== 'released') {
      this.health.recordAttempt(report.stage, outcome === 'completed' || outcome === 'degraded');
    }
    this.metrics?.itemProcessed({
      pipeline: this.pipeline,
      stage: report.stage,
      outcome,
      durationSeconds: report.durationMs / 1000,
    });
  }

  usage(name: string, amount: number): void {
    this.summary.add(name, amount);
    this.metrics?.usage({ pipeline: this.pipeline, name, amount });
  }

  queueDepth(counts: Readonly<Record<string, StageCounts>>): void {
    for (const [stage, c] of Object.entries(counts)) {
      this.metrics?.setQueueDepth(
        { pipeline: this.pipeline, stage },
        {
          pending: c.pending,
          leased: c.leased,
          retry_wait: c.retry_wait,
          completed: c.completed,
          dead: c.dead,
          skipped: c.skipped,
        },
      );
    }
  }

  inFlight(stage: string, count: number): void {
    this.metrics?.setItemsInFlight({ pipeline: this.pipeline, stage, count });
  }

  claimed(count: number): void {
    this.health.recordClaims(count);
  }

  reclaimed(count: number): void {
    this.health.recordReclaims(count);
    this.metrics?.leasesReclaimed({ pipeline: this.pipeline, count });
  }

  checkpointSaved(): void {
    this.metrics?.checkpointSaved({ pipeline: this.pipeline });
  }

  finish(): RunSummary {
    this.summary.finish();
    return this.summary.toJSON();
  }

  // ServiceObserver
  retried(service: string, category: FailureCategory): void {
    this.metrics?.retried({ service, category });
  }

  breakerTransition(service: string, key: string, from: CircuitState, to: CircuitState): void {
    const next = breakerStateName(to);
    const states = this.#breakerStates.get(service) ?? new Map<string, CircuitState>();
    this.#breakerStates.set(service, states.set(key, to));
    const counts = { closed: 0, open: 0, half_open: 0 };
    for (const state of states.values()) counts[breakerStateName(state)] += 1;
    this.health.setBreakers(service, counts);
    if (next === 'open' && breakerStateName(from) !== 'open')
      this.summary.recordBreakerTrip(service);
    this.metrics?.breakerTransition({ service, key, from: breakerStateName(from), to: next });
  }

  breakerEvicted(service: string, key: string): void {
    this.#breakerStates.get(service)?.delete(key);
    this.metrics?.forgetBreaker({ service, key });
  }

  coordinationShared(backend: string, shared: boolean): void {
    this.metrics?.setCoordinationShared({ backend, shared });
  }

  coordinationFellBack(backend: string): void {
    this.metrics?.coordinationFellBack({ backend });
  }

  rateLimitWaited(service: string, waitMs: number): void {
    this.metrics?.rateLimitWaited({ service, waitSeconds: waitMs / 1000 });
  }

  rateLimitRejected(service: string): void {
    this.metrics?.rateLimitRejected({ service });
  }

  called(service: string, outcome: ExternalCallOutcome, durationMs: number): void {
    this.summary.recordCall({ service, outcome, durationMs });
    this.health.recordCall(service, outcome === 'success' || outcome === 'fallback');
    this.metrics?.externalCall({ service, outcome, durationSeconds: durationMs / 1000 });
  }
}

function itemOutcome(report: AttemptReport): ItemOutcome {
  switch (report.outcome) {
    case 'complete':
      return report.degraded ? 'degraded' : 'completed';
    case 'retry':
      return 'retry';
    case 'dead':
      return 'dead';
    case 'skip':
      return 'skipped';
    default:
      return 'released';
  }
}
