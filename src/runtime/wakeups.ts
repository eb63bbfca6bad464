import type { Store } from '../store/index.js';

type Listener = (runId: string, stage: string) => void;

const listeners = new WeakMap<Store, Set<Listener>>();

/**
 * Wake-ups: when a Queue and a worker share a store object, an enqueue wakes the idle worker at
 * once instead of waiting for its next poll; a store that can tell about writes of other
 * processes (`watchItems`: PostgreSQL's LISTEN/NOTIFY) wakes it for those too. Anything missed
 * is still found by polling (a cheap read, see StageWorker). A listener may be called with
 * `('', '')`: work may have arrived anywhere.
 */
export function onItemsAdded(store: Store, listener: Listener): () => void {
  let set = listeners.get(store);
  if (!set) listeners.set(store, (set = new Set()));
  set.add(listener);
  const unwatch = store.watchItems?.(listener);
  return () => {
    set.delete(listener);
    unwatch?.();
  };
}

export function itemsAdded(store: Store, runId: string, stage: string): void {
  const set = listeners.get(store);
  if (set) for (const listener of set) listener(runId, stage);
}
