/** Stops a listener. */
export interface Disposable {
  dispose(): void;
}

/** Subscribes a listener; the returned handle unsubscribes it (cockatiel style). */
export type Event<T> = (listener: (value: T) => void) => Disposable;

/**
 * A minimal synchronous emitter for policy events. Firing with no listeners costs one length
 * check, so policies can fire on every call without slowing the success path. A throwing
 * listener cannot break the policy: its error is reported asynchronously instead.
 */
export class EventEmitter<T> {
  #listeners: ((value: T) => void)[] = [];

  readonly event: Event<T> = (listener) => {
    this.#listeners = [...this.#listeners, listener];
    return {
      dispose: () => {
        this.#listeners = this.#listeners.filter((l) => l !== listener);
      },
    };
  };

  get size(): number {
    return this.#listeners.length;
  }

  fire(value: T): void {
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]!(value);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
