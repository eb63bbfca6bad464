import { resolve } from 'node:path';
import { InvalidConfigError } from '../errors/index.js';
import type { MetricsRecorder } from '../observe/index.js';
import type { CacheIndex } from '../store/index.js';

/** The logger calls the cache makes; a pino logger fits. */
export interface CacheLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ArtifactCacheOptions {
  /** The cache directory, created if missing. */
  readonly dir: string;
  /** Where entry metadata lives (createSqliteCacheIndex / createPostgresCacheIndex); its cache name labels the metrics. Not closed by close(). */
  readonly index: CacheIndex;
  /** cleanupOldEntries() removes entries not read or written for this many days. Default 30. */
  readonly retentionDays?: number;
  /** checkDiskSpace() warns when the cache holds more. Default 1000 (MB = 2^20 bytes). */
  readonly warnThresholdMb?: number;
  /** checkDiskSpace() warns when the volume has less free. Default 1000. */
  readonly minFreeMb?: number;
  /** A size cap: past it, put() evicts least recently used entries. Default none. */
  readonly maxSizeMb?: number;
  /** Retention cleanup, cap and disk check every so often (an unref'd timer); 0 = never. Default 1 hour. */
  readonly cleanupIntervalMs?: number;
  /** How long an open() handle's pin holds without renewal (other processes honour it). Default 10 min. */
  readonly pinLeaseMs?: number;
  /** Remove a killed writer's temp files and drop broken entries on open. Default true. */
  readonly repairOnOpen?: boolean;
  /** Milliseconds since the epoch; default Date.now. */
  readonly clock?: () => number;
  readonly logger?: CacheLogger;
  readonly metrics?: MetricsRecorder;
}

export interface ResolvedCacheOptions {
  readonly dir: string;
  readonly index: CacheIndex;
  readonly retentionDays: number;
  readonly warnThresholdMb: number;
  readonly minFreeMb: number;
  readonly maxBytes: number | undefined;
  readonly cleanupIntervalMs: number;
  readonly pinLeaseMs: number;
  readonly repairOnOpen: boolean;
  readonly clock: () => number;
  readonly logger: CacheLogger | undefined;
  readonly metrics: MetricsRecorder | undefined;
}

const MB = 1024 * 1024;
const maxTimerMs = 2 ** 31 - 1;

/** Checks every option, naming the field and what it accepts; returns them frozen. */
export function resolveCacheOptions(options: ArtifactCacheOptions): ResolvedCacheOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidConfigError('cache', 'an options object', options);
  }
  const { dir, index } = options;
  if (typeof dir !== 'string' || dir.trim() === '') {
    throw new InvalidConfigError('cache.dir', 'a non-empty path', dir);
  }
  if (typeof index !== 'object' || index === null || typeof index.put !== 'function') {
    throw new InvalidConfigError(
      'cache.index',
      'a CacheIndex (createSqliteCacheIndex or createPostgresCacheIndex)',
      index,
    );
  }
  const maxSizeMb = options.maxSizeMb;
  if (maxSizeMb !== undefined) positive(maxSizeMb, 'cache.maxSizeMb');
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') {
    throw new InvalidConfigError('cache.clock', 'a function returning ms since the epoch', clock);
  }
  const logger = options.logger;
  if (logger !== undefined && (typeof logger !== 'object' || typeof logger.warn !== 'function')) {
    throw new InvalidConfigError('cache.logger', 'a logger with info, warn and error', logger);
  }
  return Object.freeze({
    dir: resolve(dir),
    index,
    retentionDays: nonNegative(options.retentionDays ?? 30, 'cache.retentionDays'),
    warnThresholdMb: nonNegative(options.warnThresholdMb ?? 1000, 'cache.warnThresholdMb'),
    minFreeMb: nonNegative(options.minFreeMb ?? 1000, 'cache.minFreeMb'),
    maxBytes: maxSizeMb === undefined ? undefined : Math.floor(maxSizeMb * MB),
    cleanupIntervalMs: interval(options.cleanupIntervalMs ?? 3_600_000, 'cache.cleanupIntervalMs'),
    pinLeaseMs: interval(options.pinLeaseMs ?? 600_000, 'cache.pinLeaseMs', 1),
    repairOnOpen: options.repairOnOpen ?? true,
    clock,
    logger,
    metrics: options.metrics,
  });
}

function nonNegative(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidConfigError(field, 'a finite number >= 0', value);
  }
  return value;
}

function positive(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidConfigError(field, 'a finite number > 0', value);
  }
  return value;
}

function interval(value: unknown, field: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > maxTimerMs) {
    throw new InvalidConfigError(
      field,
      `an integer number of ms in [${min}, ${maxTimerMs}]`,
      value,
    );
  }
  return value;
}
