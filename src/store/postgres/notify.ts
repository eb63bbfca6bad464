import type pg from 'pg';

/**
 * Cross-process wake-ups through LISTEN/NOTIFY. Every write that makes items claimable (a seed,
 * a retry, a release, a reclaim, next-stage items, dead letters sent back) runs
 * `pg_notify(channel, '["run","stage"]')` in its own transaction, so the notification goes out
 * only if the write committed (and PostgreSQL folds repeats within one transaction). One pooled
 * connection per store LISTENs, from the first watcher to the last, and hands each notification
 * to the watchers; an idle worker anywhere in the fleet then claims at once instead of at its
 * next poll.
 *
 * Polling stays the fallback, and is enough on its own: a pooler in transaction mode drops
 * LISTEN, and a lost connection misses what was sent meanwhile. The listening connection is
 * re-opened after a loss with backoff (100 ms doubling to 5 s) until the store closes; each
 * time it is up, every watcher is called with `('', '')` (look once: something may have been
 * missed).
 */
export type ItemsListener = (runId: string, stage: string) => void;

/** The channel of one schema: a NOTIFY channel is an identifier, at most 63 bytes. */
export function itemsChannel(schema: string): string {
  return `sluice_items_${schema}`.slice(0, 63);
}

/**
 * `pg_notify` of the items of (`run`, `stage`), SQL expressions, on the channel in parameter
 * `channel` (NULL when notifications are off: then nothing is sent). The payload is
 * `["run","stage"]`, or '' where it would not fit in NOTIFY's 8000 bytes (every watcher wakes).
 */
export function notifySql(channel: string, run: string, stage: string): string {
  const payload = `json_build_array(${run}, ${stage})::text`;
  return `pg_notify(${channel}, CASE WHEN octet_length(${payload}) < 7900 THEN ${payload} ELSE '' END)`;
}

export class ItemsNotifications {
  readonly #pool: pg.Pool;
  readonly #channel: string;
  readonly #listeners = new Set<ItemsListener>();
  #client: pg.PoolClient | undefined;
  #connecting: Promise<void> | undefined;
  #retryMs = minRetryMs;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(pool: pg.Pool, channel: string) {
    this.#pool = pool;
    this.#channel = channel;
  }

  /** Calls `listener` for each notification until the returned function is called. */
  watch(listener: ItemsListener): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#connect();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) void this.#disconnect();
    };
  }

  /** Whether the LISTEN connection is up (for tests and health). */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  /** Resolves once the LISTEN connection is up (or the attempt in progress failed). */
  async ready(): Promise<void> {
    await this.#connecting;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    await this.#connecting;
    await this.#disconnect();
  }

  #connect(): void {
    if (this.#closed || this.#client !== undefined || this.#connecting !== undefined) return;
    this.#connecting = (async () => {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.#pool.connect();
        client.on('notification', this.#onNotification);
        client.on('error', this.#onLost);
        client.on('end', this.#onLost);
        await client.query(`LISTEN "${this.#channel}"`);
        if (this.#closed || this.#listeners.size === 0) {
          this.#drop(client, undefined);
          return;
        }
        this.#client = client;
        this.#retryMs = minRetryMs;
        // Whatever was sent while nobody listened is lost: everyone looks once.
        this.#wakeAll();
      } catch (error) {
        if (client !== undefined) this.#drop(client, error);
        this.#retryLater();
      } finally {
        this.#connecting = undefined;
      }
    })();
  }

  readonly #onNotification = (message: pg.Notification): void => {
    if (message.channel !== this.#channel) return;
    let target: unknown;
    try {
      target = message.payload ? JSON.parse(message.payload) : undefined;
    } catch {
      target = undefined;
    }
    const [runId, stage] = Array.isArray(target) ? (target as unknown[]) : [];
    if (typeof runId !== 'string' || typeof stage !== 'string') {
      this.#wakeAll(); // unreadable: a wake-up for everyone (an extra claim each, no harm)
      return;
    }
    for (const listener of [...this.#listeners]) listener(runId, stage);
  };

  #wakeAll(): void {
    for (const listener of [...this.#listeners]) listener('', '');
  }

  readonly #onLost = (error?: unknown): void => {
    const client = this.#client;
    if (client === undefined) return;
    this.#client = undefined;
    this.#drop(client, error ?? new Error('the LISTEN connection ended'));
    this.#retryLater();
  };

  #retryLater(): void {
    if (this.#closed || this.#listeners.size === 0 || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect();
    }, this.#retryMs);
    this.#timer.unref();
    this.#retryMs = Math.min(maxRetryMs, this.#retryMs * 2);
  }

  async #disconnect(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined) return;
    // UNLISTEN before the connection goes back to the pool; if that fails, it is discarded.
    await client.query(`UNLISTEN "${this.#channel}"`).then(
      () => this.#drop(client, undefined),
      (error: unknown) => this.#drop(client, error),
    );
  }

  #drop(client: pg.PoolClient, error: unknown): void {
    client.off('notification', this.#onNotification);
    client.off('error', this.#onLost);
    client.off('end', this.#onLost);
    client.on('error', ignore); // a late error of a discarded connection
    try {
      client.release(error === undefined ? undefined : error instanceof Error ? error : true);
    } catch {
      // released already
    }
  }
}

const minRetryMs = 100;
const maxRetryMs = 5_000;
const ignore = (): void => undefined;
