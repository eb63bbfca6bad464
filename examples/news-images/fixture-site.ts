/**
 * A local news site and image host on loopback, so the example runs offline: `/` lists the
 * articles, `/articles/<n>.html` links three images (one in a `<picture>` source set, one with a
 * relative URL), `/images/...` serves PNGs. Image `broken-<n>.png` is always 404 and
 * `/flaky/...` answers 503 for its first two requests, so the run has failures and retries to show.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

export interface FixtureSite {
  readonly url: string;
  readonly imageRequests: () => number;
  close(): Promise<void>;
}

export async function startFixtureSite(articles = 20, port = 0): Promise<FixtureSite> {
  let imageRequests = 0;
  const flaky = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/') {
      const links = Array.from(
        { length: articles },
        (_, n) => `<li><a href="/articles/${n}.html">Story ${n}</a></li>`,
      );
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<ul>${links.join('')}</ul>`);
      return;
    }
    const article = /^\/articles\/(\d+)\.html$/.exec(path);
    if (article) {
      const n = Number(article[1]);
      const broken = n % 10 === 9 ? `<img src="/images/broken-${n}.png">` : '';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        `<html><body><article><h1>Story ${n}</h1>
          <img src="/images/lead-${n}.png" alt="lead">
          <picture><source srcset="/images/wide-${n}.png 2x"><img src="/images/small-${n}.png"></picture>
          <img src="${n % 4 === 0 ? '/flaky' : '/images'}/extra-${n}.png">${broken}
        </article></body></html>`,
      );
      return;
    }
    if (path.startsWith('/images/') || path.startsWith('/flaky/')) {
      imageRequests += 1;
      if (path.includes('broken-')) {
        res.writeHead(404).end();
        return;
      }
      if (path.startsWith('/flaky/')) {
        const seen = (flaky.get(path) ?? 0) + 1;
        flaky.set(path, seen);
        if (seen <= 2) {
          res.writeHead(503).end();
          return;
        }
      }
      res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    imageRequests: () => imageRequests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
