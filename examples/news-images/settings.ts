/**
 * The settings our users' news-image downloader had, with its defaults, each overridable from
 * the environment and checked with an error that names the variable and the value expected.
 */
import { InvalidConfigError } from '../../src/index.js';

export interface NewsImageSettings {
  /** Consecutive download failures that open a host's breaker (NEWS_BREAKER_FAIL_MAX, 5). */
  readonly breakerFailMax: number;
  /** How long an open breaker stays open, seconds (NEWS_BREAKER_TIMEOUT_S, 60). */
  readonly breakerTimeoutS: number;
  /** Retries of a failed download, exponential backoff (NEWS_DOWNLOAD_RETRIES, 3). */
  readonly retries: number;
  /** Cache entries unused for longer are cleaned up (NEWS_CACHE_RETENTION_DAYS, 30). */
  readonly cacheRetentionDays: number;
  /** Warn when the cache grows past this (NEWS_CACHE_WARN_MB, 1000). */
  readonly cacheWarnMb: number;
}

const spec: Record<keyof NewsImageSettings, [string, number, number]> = {
  breakerFailMax: ['NEWS_BREAKER_FAIL_MAX', 5, 1],
  breakerTimeoutS: ['NEWS_BREAKER_TIMEOUT_S', 60, 0.001],
  retries: ['NEWS_DOWNLOAD_RETRIES', 3, 0],
  cacheRetentionDays: ['NEWS_CACHE_RETENTION_DAYS', 30, 0.0001],
  cacheWarnMb: ['NEWS_CACHE_WARN_MB', 1000, 0.001],
};

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): NewsImageSettings {
  const out: Record<string, number> = {};
  for (const [field, [name, fallback, min]] of Object.entries(spec)) {
    const text = env[name];
    if (text === undefined || text === '') {
      out[field] = fallback;
      continue;
    }
    const value = Number(text);
    const integer = field === 'breakerFailMax' || field === 'retries';
    if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      throw new InvalidConfigError(name, `${integer ? 'an integer' : 'a number'} >= ${min}`, text);
    }
    out[field] = value;
  }
  return Object.freeze(out) as unknown as NewsImageSettings;
}
