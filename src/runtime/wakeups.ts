import type { Store } from '../store/index.js';

type Listener = (runId: string, stage: string) => void;

const listeners = new WeakMap<Store, Set<Listener>>();

/**
 * In-process wake-ups: when a Queue and a worker share a store object, an enqueue wakes the
 * idle worker at once instead of waiting for its next poll. Workers in other processes still
 * find the work by polling (a cheap read, see StageWorker).
 */
export function onItemsAdded(store: Store, listener: Listener): () => void {
  let set = listeners.get(store);
  if (!set) listeners.set(store, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

export function itemsAdded(store: Store, runId: string, stage: string): void {
  const set = listeners.get(store);
  if (set) for (const listener of set) listener(runId, stage);
}
