/**
 * The demo's pipeline, as a user would write it: fetch each article, extract its image URLs
 * with an HTML parser, download each image through the `images` service (per-host breakers,
 * retries with backoff, a rate limit) into the artifact cache. Image items are keyed by host
 * name and path, not by the port the simulated host has in this process, so a second run of
 * the demo resumes the same items.
 */
import { parse } from 'node-html-parser';
import type { ArtifactCache } from '../../cache/index.js';
import { definePipeline, stage, type Pipeline } from '../../runtime/index.js';
import { imageHosts, type DemoUpstream, type ImageHost } from './upstream.js';

export interface DemoPipelineOptions {
  readonly upstream: DemoUpstream;
  readonly cache: ArtifactCache;
}

export function demoPipeline({ upstream, cache }: DemoPipelineOptions): Pipeline {
  const hostOf = (url: URL): ImageHost | undefined =>
    imageHosts.find((h) => new URL(upstream.hostUrl[h]).host === url.host);
  return definePipeline({
    name: 'demo-news-images',
    version: '1',
    services: {
      news: {
        rateLimit: { ratePerSecond: 40, burst: 10 },
        retry: { maxAttempts: 5, backoff: { initialMs: 100, capMs: 2_000 } },
        timeoutMs: 5_000,
      },
      images: {
        rateLimit: { ratePerSecond: 80, burst: 20 },
        retry: { maxAttempts: 6, backoff: { initialMs: 200, capMs: 3_000 } },
        circuitBreaker: {
          window: { kind: 'count', size: 10 },
          minimumCalls: 5,
          failureRateThreshold: 0.5,
          openDurationMs: 2_000,
        },
        timeoutMs: 5_000,
      },
    },
    stages: [
      stage({
        name: 'articles',
        concurrency: 4,
        services: ['news'],
        handler: async (n: number, ctx) => {
          const page = await ctx.http('news').get(`${upstream.newsUrl}/articles/${n}`, {
            expectContentType: 'text/html',
          });
          const images = parse(page.body.toString('utf8'))
            .querySelectorAll('img')
            .map((img) => img.getAttribute('src'))
            .filter((src): src is string => src !== undefined);
          for (const src of images) {
            const url = new URL(src);
            const host = hostOf(url);
            if (host === undefined) continue;
            ctx.emit({ id: `${host}${url.pathname}`, input: { host, path: url.pathname } });
          }
          return { images: images.length };
        },
      }),
      stage({
        name: 'images',
        concurrency: 8,
        services: ['images'],
        handler: async (image: { host: ImageHost; path: string }, ctx) => {
          const url = `${upstream.hostUrl[image.host]}${image.path}`;
          const key = `demo://${image.host}${image.path}`;
          if (await cache.has(key)) return { cached: true };
          const response = await ctx.http('images').get(url, { expectContentType: 'image/*' });
          await cache.put(key, response.body, { contentType: response.contentType ?? 'image/png' });
          return { bytes: response.body.length };
        },
      }),
    ],
  });
}
