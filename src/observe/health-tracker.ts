/**
 * Why: the numbers evaluateHealth needs, gathered in process as things happen: a success window
 * per stage and per service, breaker counts, last success per stage, claims and lease reclaims.
 * The engine records; the server asks for `input()` and passes it to evaluateHealth together
 * with dependency results and the pending counts it read from the store.
 */
import type { BreakerCounts, HealthInput, ServiceHealthInput, StageHealthInput } from './health.js';
import { SuccessWindow, type SuccessWindowOptions } from './success-window.js';

export class HealthTracker {
  readonly #options: SuccessWindowOptions;
  readonly #now: () => number;
  readonly #startedAtMs: number;
  readonly #stages = new Map<string, { window: SuccessWindow; lastSuccessAtMs?: number }>();
  readonly #services = new Map<string, { window: SuccessWindow; breakers?: BreakerCounts }>();
  readonly #claims: SuccessWindow;

  constructor(options: SuccessWindowOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#startedAtMs = this.#now();
    // Claims as "successes" and reclaims as "failures" of one window: the same ring, no new type.
    this.#claims = new SuccessWindow(options);
  }

  recordAttempt(stage: string, success: boolean): void {
    let entry = this.#stages.get(stage);
    if (entry === undefined) {
      entry = { window: new SuccessWindow(this.#options) };
      this.#stages.set(stage, entry);
    }
    entry.window.record(success);
    if (success) entry.lastSuccessAtMs = this.#now();
  }

  recordCall(service: string, success: boolean): void {
    this.#service(service).window.record(success);
  }

  setBreakers(service: string, counts: BreakerCounts): void {
    this.#service(service).breakers = counts;
  }

  recordClaims(count: number): void {
    if (count > 0) this.#claims.record(true, count);
  }

  recordReclaims(count: number): void {
    if (count > 0) this.#claims.record(false, count);
  }

  /** The health input for now; `pending` (per stage, from the store) turns on freshness. */
  input(pending: Readonly<Record<string, number>> = {}): HealthInput {
    const stages: StageHealthInput[] = [...this.#stages].map(([stage, e]) => ({
      stage,
      ...e.window.counts(),
      sinceMs: this.#startedAtMs,
      ...(e.lastSuccessAtMs === undefined ? {} : { lastSuccessAtMs: e.lastSuccessAtMs }),
      ...(pending[stage] === undefined ? {} : { pending: pending[stage] }),
    }));
    const services: ServiceHealthInput[] = [...this.#services].map(([service, e]) => ({
      service,
      ...e.window.counts(),
      ...(e.breakers === undefined ? {} : { breakers: e.breakers }),
    }));
    const claims = this.#claims.counts();
    return {
      nowMs: this.#now(),
      stages,
      services,
      leases: { claimed: claims.successes, reclaimed: claims.failures },
    };
  }

  #service(service: string): { window: SuccessWindow; breakers?: BreakerCounts } {
    let entry = this.#services.get(service);
    if (entry === undefined) {
      entry = { window: new SuccessWindow(this.#options) };
      this.#services.set(service, entry);
    }
    return entry;
  }
}
