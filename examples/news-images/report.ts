/**
 * The end-of-run report our users logged: per-stage figures (extracted, downloaded, failed,
 * cached, breaker trips, success and download rates) and a health verdict from the download
 * success rate: unhealthy under 50 %, degraded from 50 % to 80 %, healthy above.
 */
import type { RunSummary, StageCounts } from '../../src/index.js';

export type Verdict = 'healthy' | 'degraded' | 'unhealthy';

export interface NewsImagesReport {
  readonly extracted: number;
  readonly downloaded: number;
  readonly cached: number;
  readonly failed: number;
  readonly breakerTrips: number;
  /** Images that ended completed, over images that ended (completed or dead); null if none. */
  readonly successRate: number | null;
  readonly downloadsPerSecond: number;
  readonly verdict: Verdict;
}

export function verdictOf(successRate: number | null): Verdict {
  if (successRate === null) return 'healthy';
  if (successRate < 0.5) return 'unhealthy';
  return successRate <= 0.8 ? 'degraded' : 'healthy';
}

export function newsImagesReport(
  counts: Readonly<Record<string, StageCounts>>,
  summary: RunSummary | undefined,
): NewsImagesReport {
  const images = counts.images;
  const ended = images ? images.completed + images.dead : 0;
  const successRate = ended === 0 ? null : images!.completed / ended;
  const usage = summary?.usage ?? {};
  const seconds = (summary?.durationMs ?? 0) / 1000;
  const downloaded = usage.downloaded ?? 0;
  return {
    extracted: images?.total ?? 0,
    downloaded,
    cached: usage.cached ?? 0,
    failed: images?.dead ?? 0,
    breakerTrips: summary?.services.images?.breakerTrips ?? 0,
    successRate,
    downloadsPerSecond: seconds > 0 ? downloaded / seconds : 0,
    verdict: verdictOf(successRate),
  };
}
