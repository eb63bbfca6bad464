import { InvalidConfigError } from '../errors/index.js';
import { EventEmitter, type Event } from '../policies/index.js';
import type { SharedStateBackend } from './shared-backend.js';

export interface SharedStateLinkOptions {
  readonly backend: SharedStateBackend;
  /** While the backend is away, how often to try it again. Default 2000 ms. */
  readonly rejoinIntervalMs?: number;
}

export interface LinkFallbackEvent {
  readonly backend: string;
  readonly error: unknown;
}

export interface LinkRejoinEvent {
  readonly backend: string;
  /** How long the fleet ran on local state. */
  readonly downMs: number;
}

/**
 * Whether the shared backend is usable right now, for every shared policy of a process. The first
 * failed call flips it to local (one `onFallback` event, whatever the number of policies and calls
 * that notice); from then on a timer pings the backend and flips it back on the first answer
 * (`onRejoin`). Policies read `shared` on every call, so nothing waits on a dead backend twice.
 */
export class SharedStateLink {
  readonly backend: SharedStateBackend;
  readonly rejoinIntervalMs: number;
  #shared = true;
  #downSince = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  readonly #onFallback = new EventEmitter<LinkFallbackEvent>();
  readonly #onRejoin = new EventEmitter<LinkRejoinEvent>();
  /** The backend failed: shared policies now decide locally. Log it and count it. */
  readonly onFallback: Event<LinkFallbackEvent> = this.#onFallback.event;
  /** The backend answers again: shared policies use it from now on. */
  readonly onRejoin: Event<LinkRejoinEvent> = this.#onRejoin.event;

  constructor(options: SharedStateLinkOptions) {
    if (typeof options?.backend?.ping !== 'function') {
      throw new InvalidConfigError(
        'coordination.backend',
        'a shared state backend',
        options?.backend,
      );
    }
    const interval = options.rejoinIntervalMs ?? 2000;
    if (!Number.isFinite(interval) || interval <= 0) {
      throw new InvalidConfigError('coordination.rejoinIntervalMs', 'a number > 0', interval);
    }
    this.backend = options.backend;
    this.rejoinIntervalMs = interval;
  }

  /** True while the backend is believed reachable. */
  get shared(): boolean {
    return this.#shared;
  }

  /** Reports a failed backend call: switches the process to local state (once). */
  fail(error: unknown): void {
    if (!this.#shared || this.#closed) return;
    this.#shared = false;
    this.#downSince = Date.now();
    this.#onFallback.fire({ backend: this.backend.kind, error });
    this.#timer = setInterval(() => void this.#tryRejoin(), this.rejoinIntervalMs);
    this.#timer.unref();
  }

  async #tryRejoin(): Promise<void> {
    try {
      await this.backend.ping();
    } catch {
      return;
    }
    if (this.#shared || this.#closed) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#shared = true;
    this.#onRejoin.fire({ backend: this.backend.kind, downMs: Date.now() - this.#downSince });
  }

  /** Stops the rejoin timer (the backend itself is closed by its owner). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
