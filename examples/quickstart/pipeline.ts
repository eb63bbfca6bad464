/**
 * The quickstart pipeline: fetch articles from a news service, emit each article's images
 * (fan-out), download every image. Both services are flaky on purpose; each call goes through
 * retry with backoff, a circuit breaker, a rate limit and a timeout.
 */
import { request } from 'undici';
import { HttpStatusError, definePipeline, stage } from '../../src/index.js';

export interface Article {
  readonly id: number;
}

interface ArticlePage {
  readonly id: number;
  readonly title: string;
  readonly images: readonly string[];
}

/** GETs JSON, turning a non-2xx answer into an HttpStatusError the classifier understands. */
async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const response = await request(url, { signal, headersTimeout: 5_000, bodyTimeout: 5_000 });
  if (response.statusCode >= 400) {
    await response.body.dump();
    const retryAfter = response.headers['retry-after'];
    throw new HttpStatusError(
      response.statusCode,
      typeof retryAfter === 'string' ? retryAfter : undefined,
      url,
    );
  }
  return (await response.body.json()) as T;
}

const callPolicies = {
  rateLimit: { ratePerSecond: 200, burst: 20 },
  retry: { maxAttempts: 3, backoff: { initialMs: 50, capMs: 1_000 }, maxRetryAfterMs: 2_000 },
  circuitBreaker: {
    window: { kind: 'count', size: 20 },
    minimumCalls: 10,
    failureRateThreshold: 0.5,
    openDurationMs: 2_000,
    halfOpen: { permits: 3, successThreshold: 2 },
  },
  timeoutMs: 2_000,
} as const;

export function quickstartPipeline(baseUrl: string) {
  return definePipeline({
    name: 'quickstart',
    version: '1',
    services: { news: callPolicies, images: { ...callPolicies, perKey: true } },
    stages: [
      stage({
        name: 'fetch-article',
        concurrency: 4,
        retry: { maxAttempts: 8, backoff: { initialMs: 300, capMs: 3_000 } },
        services: ['news'],
        handler: async (article: Article, ctx) => {
          const page = await ctx.call('news', ({ signal }) =>
            getJson<ArticlePage>(`${baseUrl}/articles/${article.id}`, signal),
          );
          ctx.emit(
            page.images.map((path) => ({
              id: `${ctx.itemId}${path}`,
              input: { url: `${baseUrl}${path}` },
            })),
          );
          return { title: page.title, images: page.images.length };
        },
      }),
      stage({
        name: 'download-image',
        concurrency: 8,
        retry: { maxAttempts: 8, backoff: { initialMs: 300, capMs: 3_000 } },
        services: ['images'],
        handler: async (image: { url: string }, ctx) => {
          const host = new URL(image.url).host;
          const body = await ctx.call(
            'images',
            ({ signal }) => getJson<{ bytes: number }>(image.url, signal),
            {
              key: host,
            },
          );
          ctx.metrics.add('bytes_downloaded', body.bytes);
          return { bytes: body.bytes };
        },
      }),
    ],
  });
}
