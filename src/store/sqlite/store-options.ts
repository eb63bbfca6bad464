import type { SqliteOpenOptions } from './open.js';

export interface SqliteStoreOptions extends SqliteOpenOptions {
  /** The database file, created (and migrated) if missing. */
  readonly path: string;
  /**
   * Run the store on a worker thread of its own (default false). Every call becomes a message,
   * which costs a few microseconds per call, and the SQL no longer holds the caller's event
   * loop: worth it when the store's CPU is the bottleneck (a queue of short jobs on a machine
   * with a spare core); not when handlers wait on external services, the common case.
   */
  readonly thread?: boolean;
}
