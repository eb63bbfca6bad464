/**
 * Per-key limiter state with bounded memory, for limiters keyed by something unbounded (IP, user,
 * domain). Two generations of Maps (the hashlru scheme): keys live in `current`; when it reaches
 * half of `maxKeys` it becomes `previous` and the old `previous` is dropped, except for the entries
 * still worth keeping; a key found in `previous` moves back to `current`. Every operation is O(1)
 * amortised, and the size never exceeds `maxKeys` (plus keys that have waiters).
 *
 * Why not an LRU by Map insertion order: moving a key to the end means delete + set, and V8 leaves
 * each deleted slot as a hole that iteration from the front must skip, so "evict the oldest"
 * degrades to tens of microseconds on a 100,000-key map. Dropping a whole generation has no holes.
 *
 * What is dropped: an idle entry (its bucket is full again, so forgetting it changes nothing) is
 * always dropped; a key with waiters is always kept; other entries, the most recently used
 * first, are carried into the new generation up to a quarter of `maxKeys`. Only beyond that,
 * when more keys are busy than the map may hold, is a key forgotten early (it starts again from
 * a full bucket if it comes back): the least recently used first.
 */
export class KeyStateMap<S> {
  #current = new Map<string, S>();
  #previous = new Map<string, S>();
  readonly #generation: number;
  readonly #idleAt: (state: S) => number;
  readonly #isPinned: (key: string) => boolean;
  /** Entries forgotten before they were idle, because the map was full of busy keys. */
  evictedBusy = 0;

  constructor(maxKeys: number, idleAt: (state: S) => number, isPinned: (key: string) => boolean) {
    this.#generation = Math.max(1, Math.floor(maxKeys / 2));
    this.#idleAt = idleAt;
    this.#isPinned = isPinned;
  }

  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  /** The state of `key`, moved into the current generation; undefined for a key not held. */
  get(key: string, now: number): S | undefined {
    const state = this.#current.get(key);
    if (state !== undefined) return state;
    const old = this.#previous.get(key);
    if (old !== undefined) {
      this.#previous.delete(key);
      this.set(key, old, now);
    }
    return old;
  }

  set(key: string, state: S, now: number): void {
    const current = this.#current;
    const before = current.size;
    current.set(key, state);
    if (current.size > before && current.size >= this.#generation) this.#rotate(now);
  }

  #rotate(now: number): void {
    const dropped = this.#previous;
    const next = new Map<string, S>();
    this.#previous = this.#current;
    this.#current = next;
    let busy: string[] | undefined;
    for (const [key, state] of dropped) {
      if (this.#idleAt(state) <= now) continue;
      if (this.#isPinned(key)) next.set(key, state);
      else (busy ??= []).push(key);
    }
    if (busy === undefined) return;
    // Keep the most recently used of the busy keys (the end of the dropped generation).
    const keep = Math.min(busy.length, Math.max(0, (this.#generation >> 1) - next.size));
    this.evictedBusy += busy.length - keep;
    for (let i = busy.length - keep; i < busy.length; i++) {
      const key = busy[i]!;
      next.set(key, dropped.get(key)!);
    }
  }
}
