/**
 * News images, as our users' downloader did it by hand: the front page lists articles, each
 * article's HTML is parsed (node-html-parser, not regexes) for `<img src>` and `<source srcset>`,
 * and every image is downloaded through `ctx.http('images')` behind a breaker that opens after
 * `breakerFailMax` consecutive failures for `breakerTimeoutS`, with `retries` exponential retries,
 * into the artifact cache. Image items are keyed by URL: seen once, downloaded once.
 */
import { parse } from 'node-html-parser';
import { definePipeline, stage, type ArtifactCache, type Pipeline } from '../../src/index.js';
import type { NewsImageSettings } from './settings.js';

export function extractImageUrls(html: string, base: string): string[] {
  const root = parse(html);
  const urls = new Set<string>();
  for (const img of root.querySelectorAll('img[src]'))
    urls.add(new URL(img.getAttribute('src')!, base).href);
  for (const source of root.querySelectorAll('source[srcset]')) {
    for (const candidate of source.getAttribute('srcset')!.split(',')) {
      const url = candidate.trim().split(/\s+/)[0];
      if (url) urls.add(new URL(url, base).href);
    }
  }
  return [...urls];
}

export function newsImagesPipeline(cache: ArtifactCache, s: NewsImageSettings): Pipeline {
  return definePipeline({
    name: 'news-images',
    version: '1',
    services: {
      site: { rateLimit: { ratePerSecond: 20 }, retry: { maxAttempts: 3 }, timeoutMs: 10_000 },
      images: {
        rateLimit: { ratePerSecond: 50 },
        retry: {
          maxAttempts: s.retries + 1,
          backoff: { kind: 'exponential', initialMs: 100, capMs: 5_000 },
        },
        // N consecutive failures: a window of the last N calls, all of them failed.
        circuitBreaker: {
          window: { kind: 'count', size: s.breakerFailMax },
          minimumCalls: s.breakerFailMax,
          failureRateThreshold: 1,
          openDurationMs: s.breakerTimeoutS * 1000,
        },
        timeoutMs: 15_000,
      },
    },
    stages: [
      stage({
        name: 'front-page',
        services: ['site'],
        handler: async (url: string, ctx) => {
          const page = await ctx.http('site').get(url, { expectContentType: 'text/html' });
          const links = parse(page.body.toString('utf8'))
            .querySelectorAll('a[href]')
            .map((a) => new URL(a.getAttribute('href')!, url).href);
          ctx.emit(links.map((link) => ({ id: link, input: link })));
          return { articles: links.length };
        },
      }),
      stage({
        name: 'articles',
        concurrency: 4,
        services: ['site'],
        handler: async (url: string, ctx) => {
          const page = await ctx.http('site').get(url, { expectContentType: 'text/html' });
          const images = extractImageUrls(page.body.toString('utf8'), url);
          ctx.metrics.add('extracted', images.length);
          ctx.emit(images.map((image) => ({ id: image, input: image })));
          return { images: images.length };
        },
      }),
      stage({
        name: 'images',
        concurrency: 8,
        services: ['images'],
        handler: async (url: string, ctx) => {
          if (await cache.has(url)) {
            ctx.metrics.add('cached', 1);
            return { cached: true };
          }
          const image = await ctx.http('images').get(url, { expectContentType: 'image/*' });
          await cache.put(url, image.body, { contentType: image.contentType ?? 'image/png' });
          ctx.metrics.add('downloaded', 1);
          ctx.metrics.add('downloaded_bytes', image.body.length);
          return { bytes: image.body.length };
        },
      }),
    ],
  });
}
