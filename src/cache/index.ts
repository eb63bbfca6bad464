/**
 * cache: the content-addressed artifact cache on disk: atomic writes, retention cleanup with
 * statistics, size warnings.
 *
 * May import: errors, store, observe.
 */
export {};
