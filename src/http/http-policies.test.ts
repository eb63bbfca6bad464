import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classify,
  isBreakerOpenError,
  isHttpStatusError,
  type FailureCategory,
} from '../errors/index.js';
import {
  circuitBreaker,
  compose,
  keyedRegistry,
  retry,
  type GiveUpReason,
  type Policy,
} from '../policies/index.js';
import { startFixtureServer, type FixtureServer } from './fixture-server.js';
import { createHttpClient } from './http-client.js';

const instant = { kind: 'constant', initialMs: 0, jitter: 'none' } as const;
// A fixed HTTP-date: the client's injected wall clock sits just before it.
const retryDate = 'Wed, 21 Oct 2026 07:28:00 GMT';

let server: FixtureServer;
let counters: Map<string, number>;

/** A route that fails with `status` (and `headers`) `times` times, then answers 200 "ok". */
function flaky(name: string, status: number, times: number, headers: Record<string, string> = {}) {
  return (_req: unknown, res: ServerResponse) => {
    const n = (counters.get(name) ?? 0) + 1;
    counters.set(name, n);
    if (n <= times) res.writeHead(status, headers).end(`fail ${n}`);
    else res.writeHead(200).end('ok');
  };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  counters = new Map();
  server = await startFixtureServer({
    '/503-twice': flaky('503-twice', 503, 2),
    '/404': flaky('404', 404, 99),
    '/429-seconds': flaky('429-seconds', 429, 1, { 'retry-after': '1' }),
    '/429-zero': flaky('429-zero', 429, 1, { 'retry-after': '0' }),
    '/503-date': flaky('503-date', 503, 1, { 'retry-after': retryDate }),
    '/reset-once': (req, res) => {
      const n = (counters.get('reset') ?? 0) + 1;
      counters.set('reset', n);
      if (n === 1) req.socket.destroy();
      else res.end('ok');
    },
  });
});

afterAll(() => server.close());

describe('HttpClient under policies', () => {
  it('retries 5xx and then succeeds', async () => {
    const categories: FailureCategory[] = [];
    const policy = retry({ maxAttempts: 3, backoff: instant });
    policy.onRetry((event) => categories.push(event.category));
    const client = createHttpClient({ policy });
    try {
      const response = await client.get(`${server.origin}/503-twice`);
      expect(response.body.toString()).toBe('ok');
      expect(server.hits('/503-twice')).toBe(3);
      expect(categories).toEqual(['recoverable', 'recoverable']);
    } finally {
      await client.close();
    }
  });

  it('does not retry a 4xx', async () => {
    const reasons: GiveUpReason[] = [];
    const policy = retry({ maxAttempts: 5, backoff: instant });
    policy.onGiveUp((event) => reasons.push(event.reason));
    const client = createHttpClient({ policy });
    try {
      const error = await failure(client.get(`${server.origin}/404`));
      expect(isHttpStatusError(error)).toBe(true);
      expect(server.hits('/404')).toBe(1);
      expect(reasons).toEqual(['non_recoverable']);
    } finally {
      await client.close();
    }
  });

  it('retries a connection reset', async () => {
    const client = createHttpClient({ policy: retry({ maxAttempts: 2, backoff: instant }) });
    try {
      const response = await client.get(`${server.origin}/reset-once`);
      expect(response.body.toString()).toBe('ok');
      expect(counters.get('reset')).toBe(2);
    } finally {
      await client.close();
    }
  });

  it('honours Retry-After in seconds: 1 s is past maxRetryAfterMs 500, so it gives up', async () => {
    const reasons: GiveUpReason[] = [];
    const policy = retry({ maxAttempts: 3, backoff: instant, maxRetryAfterMs: 500 });
    policy.onGiveUp((event) => reasons.push(event.reason));
    const client = createHttpClient({ policy });
    try {
      const error = await failure(client.get(`${server.origin}/429-seconds`));
      expect(classify(error)).toMatchObject({ category: 'rate_limited', retryAfterMs: 1000 });
      expect(reasons).toEqual(['deadline']);
      expect(server.hits('/429-seconds')).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('honours Retry-After: 0 from a 429 by retrying at once', async () => {
    const delays: number[] = [];
    const policy = retry({ maxAttempts: 2, backoff: instant });
    policy.onRetry((event) => delays.push(event.delayMs));
    const client = createHttpClient({ policy });
    try {
      await expect(client.get(`${server.origin}/429-zero`)).resolves.toMatchObject({
        status: 200,
      });
      expect(delays).toEqual([0]);
    } finally {
      await client.close();
    }
  });

  it('honours Retry-After as an HTTP-date, measured on the injected clock', async () => {
    const delays: number[] = [];
    const policy = retry({ maxAttempts: 2, backoff: instant });
    policy.onRetry((event) => delays.push(event.delayMs));
    const client = createHttpClient({ policy, now: () => Date.parse(retryDate) - 40 });
    try {
      await expect(client.get(`${server.origin}/503-date`)).resolves.toMatchObject({
        status: 200,
      });
      expect(delays).toEqual([40]);
    } finally {
      await client.close();
    }
  });
});

describe('per-host breakers', () => {
  let dead: FixtureServer;
  let alive: FixtureServer;

  beforeAll(async () => {
    dead = await startFixtureServer({ '/': (_q, r) => r.writeHead(503).end() }, '127.0.0.1');
    alive = await startFixtureServer({ '/': (_q, r) => r.end('ok') }, '127.0.0.2');
  });
  afterAll(async () => {
    await dead.close();
    await alive.close();
  });

  it('opens the dead host breaker and leaves the other host alone', async () => {
    const hosts: string[] = [];
    const breakers = keyedRegistry<Policy>({
      create: (host) => {
        hosts.push(host);
        return compose(
          circuitBreaker({
            name: host,
            window: { kind: 'count', size: 4 },
            minimumCalls: 4,
            openDurationMs: 60_000,
          }),
        );
      },
    });
    const client = createHttpClient({ policy: (host) => breakers.for(host) });
    try {
      for (let i = 0; i < 4; i++) {
        const error = await failure(client.get(`${dead.origin}/`));
        expect(isHttpStatusError(error)).toBe(true);
      }
      const refused = await failure(client.get(`${dead.origin}/`));
      expect(isBreakerOpenError(refused)).toBe(true);
      expect(dead.hits('/')).toBe(4);
      for (let i = 0; i < 5; i++) {
        await expect(client.get(`${alive.origin}/`)).resolves.toMatchObject({ status: 200 });
      }
      expect(alive.hits('/')).toBe(5);
      expect(hosts).toEqual([new URL(dead.origin).host, new URL(alive.origin).host]);
    } finally {
      await client.close();
    }
  });
});
