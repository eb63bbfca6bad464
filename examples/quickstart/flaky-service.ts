/**
 * A deliberately unreliable HTTP service on loopback, standing in for the news site and image
 * host a real pipeline would call. Failures are decided by a seeded random sequence per path and
 * attempt, so a run shows the same kinds of trouble every time: 503s, 429s with Retry-After,
 * slow answers, and an outage window during which everything fails (which opens the breaker).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlakyServiceOptions {
  /** Share of requests answered 503. Default 0.2. */
  readonly failureRate?: number;
  /** Share answered 429 with `Retry-After: 1`. Default 0.05. */
  readonly rateLimitRate?: number;
  /** Share answered after a 300 ms pause. Default 0.05. */
  readonly slowRate?: number;
  /** After this many requests, fail every request for `outageMs`. Default 150 (0: never). */
  readonly outageAfter?: number;
  readonly outageMs?: number;
}

export interface FlakyService {
  readonly url: string;
  readonly requests: () => number;
  close(): Promise<void>;
}

export async function startFlakyService(options: FlakyServiceOptions = {}): Promise<FlakyService> {
  const failureRate = options.failureRate ?? 0.2;
  const rateLimitRate = options.rateLimitRate ?? 0.05;
  const slowRate = options.slowRate ?? 0.05;
  const outageAfter = options.outageAfter ?? 150;
  const outageMs = options.outageMs ?? 1500;
  let requests = 0;
  let outageUntil = 0;
  const seen = new Map<string, number>();

  const server: Server = createServer((req, res) => {
    requests += 1;
    const path = req.url ?? '/';
    const attempt = (seen.get(path) ?? 0) + 1;
    seen.set(path, attempt);
    if (outageAfter > 0 && requests === outageAfter) outageUntil = Date.now() + outageMs;
    const roll = pseudoRandom(`${path}#${attempt}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (Date.now() < outageUntil) return send(503, { error: 'outage' });
    if (roll < failureRate) return send(503, { error: 'temporarily unavailable' });
    if (roll < failureRate + rateLimitRate)
      return send(429, { error: 'slow down' }, { 'retry-after': '1' });
    const respond = (): void => {
      const article = /^\/articles\/(\d+)$/.exec(path);
      if (article) {
        const id = Number(article[1]);
        const images = Array.from({ length: 1 + (id % 4) }, (_, i) => `/images/${id}-${i}.jpg`);
        return send(200, { id, title: `Article ${id}`, images });
      }
      const image = /^\/images\/([\w-]+)\.jpg$/.exec(path);
      if (image) return send(200, { name: image[1], bytes: 1000 + Math.floor(roll * 90_000) });
      send(404, { error: 'not found' });
    };
    if (roll > 1 - slowRate) setTimeout(respond, 300);
    else respond();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A stable number in [0, 1) per key (FNV-1a), so failures repeat from run to run. */
function pseudoRandom(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 2 ** 32;
}
