/**
 * The demo's simulated internet, on loopback: a news site and three image hosts with the faults
 * our users meet. Deterministic content (article n always links the same images), so a demo
 * stopped with Ctrl-C and started again resumes the same work.
 * - news: 5-40 ms latency; every 9th request a 429 with `Retry-After: 1`.
 * - img-a: bursts of 503 (4 in every 25 requests).
 * - img-b: slow bodies (the image arrives in 4 chunks, 40 ms apart).
 * - img-c: down (connections reset) from 2 s to 10 s after start, then healthy.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const imageHosts = ['img-a', 'img-b', 'img-c'] as const;
export type ImageHost = (typeof imageHosts)[number];

export interface DemoUpstream {
  readonly newsUrl: string;
  readonly hostUrl: Readonly<Record<ImageHost, string>>;
  /** Requests answered (or refused) per host: the demo prints them. */
  readonly requests: Record<string, number>;
  close(): Promise<void>;
}

const imagesPerArticle = 4;
const pixel = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** The image paths article n links: deterministic, spread over the three hosts. */
export function articleImages(n: number): { host: ImageHost; path: string }[] {
  return Array.from({ length: imagesPerArticle }, (_, i) => ({
    host: imageHosts[(n + i) % imageHosts.length]!,
    path: `/photos/${n}-${i}.png`,
  }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<Server> {
  const server = createServer((req, res) => void handler(req, res));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

export async function startDemoUpstream(now: () => number = Date.now): Promise<DemoUpstream> {
  const started = now();
  const requests: Record<string, number> = { news: 0, 'img-a': 0, 'img-b': 0, 'img-c': 0 };
  const hostUrl = {} as Record<ImageHost, string>;
  const news = await listen(async (req, res) => {
    const count = ++requests.news!;
    await sleep(5 + (count % 8) * 5);
    if (count % 9 === 0) {
      res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('slow down');
      return;
    }
    const match = /^\/articles\/(\d+)$/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const n = Number(match[1]);
    const imgs = articleImages(n)
      .map((i) => `<figure><img src="${hostUrl[i.host]}${i.path}" alt="photo"></figure>`)
      .join('\n');
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><html><body><article><h1>Article ${n}</h1>${imgs}</article></body></html>`,
      );
  });
  const servers: Server[] = [news];
  for (const host of imageHosts) {
    const server = await listen(async (req, res) => {
      const count = ++requests[host]!;
      if (!/^\/photos\/\d+-\d+\.png$/.test(req.url ?? '')) {
        res.writeHead(404).end();
        return;
      }
      const age = now() - started;
      if (host === 'img-c' && age > 2_000 && age < 10_000) {
        req.socket.destroy(); // the host is down: connections reset
        return;
      }
      if (host === 'img-a' && count % 25 >= 21) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('overloaded');
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': pixel.length });
      if (host === 'img-b') {
        for (let i = 0; i < 4; i++) {
          res.write(pixel.subarray((i * pixel.length) / 4, ((i + 1) * pixel.length) / 4));
          await sleep(40);
        }
        res.end();
        return;
      }
      res.end(pixel);
    });
    servers.push(server);
    hostUrl[host] = urlOf(server);
  }
  return {
    newsUrl: urlOf(news),
    hostUrl,
    requests,
    close: async () => {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
    },
  };
}
