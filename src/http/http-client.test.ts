import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import {
  classify,
  isHttpRequestError,
  isHttpStatusError,
  isHttpTimeoutError,
  isInvalidConfigError,
} from '../errors/index.js';
import { createHttpClient, type HttpClient } from './http-client.js';
import { startFixtureServer, type FixtureServer } from './fixture-server.js';

let server: FixtureServer;
let client: HttpClient;

/** The rejection of `promise` (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  server = await startFixtureServer({
    '/text': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('hello'),
    '/json': (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"a":1}'),
    '/echo': (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        res
          .writeHead(200, { 'content-type': req.headers['content-type'] ?? 'none' })
          .end(Buffer.concat(chunks)),
      );
    },
    '/never': () => {},
    '/stall': (_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345'); // and then nothing
    },
    '/big': (_req, res) => {
      res.writeHead(200); // chunked, no length: counted while streaming
      for (let i = 0; i < 64; i++) res.write(Buffer.alloc(1024, 97));
      res.end();
    },
    '/big-declared': (_req, res) =>
      res.writeHead(200, { 'content-length': String(10_000) }).end(Buffer.alloc(10_000)),
    '/longer-declared': (req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only fifty bytes'.padEnd(50, '.'), () => req.socket.destroy());
    },
    '/shorter-declared': (req) => {
      // Declares 5 and sends 20 on one write: whatever follows the first 5 bytes is garbage.
      req.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhelloEXTRA-BYTES-HERE');
    },
    '/loop-a': (_req, res) => res.writeHead(302, { location: '/loop-b' }).end(),
    '/loop-b': (_req, res) => res.writeHead(302, { location: '/loop-a' }).end(),
    '/hop': (req, res) => {
      const n = Number(new URL(req.url!, 'http://x').searchParams.get('n'));
      res.writeHead(302, { location: n > 0 ? `/hop?n=${n - 1}` : '/text' }).end();
    },
    '/to-ftp': (_req, res) => res.writeHead(301, { location: 'ftp://files.example/x' }).end(),
    '/see-other': (_req, res) => res.writeHead(303, { location: '/echo' }).end(),
    '/etag': (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') res.writeHead(304, { etag: '"v1"' }).end();
      else
        res
          .writeHead(200, {
            etag: '"v1"',
            'last-modified': 'Wed, 21 Oct 2026 07:28:00 GMT',
            'content-type': 'text/plain',
          })
          .end('fresh');
    },
    '/since': (req, res) => {
      if (req.headers['if-modified-since'] === 'Wed, 21 Oct 2026 07:28:00 GMT')
        res.writeHead(304).end();
      else res.writeHead(200).end('fresh');
    },
    '/teapot': (_req, res) => res.writeHead(418).end('no'),
    '/not-json': (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('<html>'),
  });
  client = createHttpClient({ connections: 4 });
});

afterAll(async () => {
  await client.close();
  await server.close();
});

describe('HttpClient basics', () => {
  it('gets a body, its headers and content type', async () => {
    const response = await client.get(`${server.origin}/text`);
    expect(response).toMatchObject({
      status: 200,
      contentType: 'text/plain',
      notModified: false,
      redirects: [],
    });
    expect(response.body.toString()).toBe('hello');
  });

  it('parses JSON and sends accept: application/json', async () => {
    const response = await client.json<{ a: number }>(`${server.origin}/json`);
    expect(response.body).toEqual({ a: 1 });
    expect(server.requests.at(-1)?.headers.accept).toBe('application/json');
  });

  it('posts a JSON body', async () => {
    const response = await client.post(`${server.origin}/echo`, { json: { x: [1, 2] } });
    expect(response.contentType).toBe('application/json');
    expect(JSON.parse(response.body.toString())).toEqual({ x: [1, 2] });
  });

  it('refuses a body that is not JSON as invalid_json, non-recoverable', async () => {
    const error = await failure(client.json(`${server.origin}/not-json`));
    expect(error).toMatchObject({ reason: 'invalid_json', category: 'non_recoverable' });
  });

  it('reuses keep-alive connections: 50 sequential requests on one or two sockets', async () => {
    const local = await startFixtureServer({ '/': (_q, r) => r.end('ok') });
    const pooled = createHttpClient();
    const single = createHttpClient({ connections: 1 });
    try {
      // undici's pool hands the second request to a new connection while the first one's
      // completion settles, then alternates between the two: never one per request.
      for (let i = 0; i < 50; i++) await pooled.get(`${local.origin}/`);
      expect(local.connections()).toBeLessThanOrEqual(2);
      const before = local.connections();
      for (let i = 0; i < 50; i++) await single.get(`${local.origin}/`);
      expect(local.connections() - before).toBe(1);
      expect(local.hits('/')).toBe(100);
    } finally {
      await single.close();
      await pooled.close();
      await local.close();
    }
  });

  it('opens no more than `connections` sockets per origin under concurrency', async () => {
    const local = await startFixtureServer({
      '/': (_q, r) => setImmediate(() => r.end('ok')),
    });
    const pooled = createHttpClient({ connections: 3 });
    try {
      await Promise.all(Array.from({ length: 40 }, () => pooled.get(`${local.origin}/`)));
      expect(local.connections()).toBe(3);
    } finally {
      await pooled.close();
      await local.close();
    }
  });
});

describe('HttpClient bad input', () => {
  it.each([
    ['not a url', 'invalid_url'],
    ['ftp://files.example/x', 'unsupported_scheme'],
    ['file:///etc/passwd', 'unsupported_scheme'],
  ])('refuses %s with %s, naming the URL', async (url, reason) => {
    const error = await failure(client.get(url));
    expect(isHttpRequestError(error)).toBe(true);
    expect(error).toMatchObject({ reason, category: 'non_recoverable' });
    expect(error.message).toContain(url);
  });

  it('masks credentials in every error message', async () => {
    const secret = `http://user:hunter2@127.0.0.1:${server.port}`;
    const errors = [
      await failure(client.get(`${secret}/teapot`)),
      await failure(client.get(`${secret}/never`, { headersTimeoutMs: 20 })),
      await failure(client.get(`${secret}/loop-a`)),
      await failure(client.get(`${secret}/big`, { maxResponseBytes: 10 })),
      await failure(client.get(`${secret}/text`, { expectContentType: 'image/*' })),
      await failure(client.get('ftp://user:hunter2@files.example/x')),
      await failure(client.get('http://user:hunter2@[broken/x')),
    ];
    for (const error of errors) {
      expect(error.message).not.toContain('hunter2');
      expect(error.message).toMatch(/user:\*\*\*@/);
    }
  });

  it('turns a refused connection into a recoverable network error naming the masked URL', async () => {
    const closed = await startFixtureServer({});
    const origin = `http://user:hunter2@127.0.0.1:${closed.port}`;
    await closed.close();
    const error = await failure(client.get(`${origin}/x`));
    expect(error).toMatchObject({ reason: 'network', category: 'recoverable' });
    expect(error.message).toContain(`(GET http://user:***@127.0.0.1:${closed.port}/x)`);
    expect(error.message).not.toContain('hunter2');
    expect(classify(error)).toMatchObject({ category: 'recoverable', code: 'SLUICE_HTTP_REQUEST' });
  });

  it('names the field of a bad request option', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ maxResponseBytes: -1 }, 'http request.maxResponseBytes'],
      [{ headersTimeoutMs: 0 }, 'http request.headersTimeoutMs'],
      [{ method: 'GE T' }, 'http request.method'],
      [{ expectContentType: 'json' }, 'http request.expectContentType'],
      [{ conditional: { etag: '' } }, 'http request.conditional.etag'],
      [{ headers: { 'x-a': 'a\r\nb' } }, 'http request.headers.x-a'],
      [{ body: 1 }, 'http request.body'],
      [{ redirect: 'error' }, 'http request.redirect'],
      [{ bogus: true }, 'http request.bogus'],
    ];
    for (const [options, field] of cases) {
      const error = await failure(client.get(`${server.origin}/text`, options));
      expect(isInvalidConfigError(error)).toBe(true);
      expect(error).toMatchObject({ field });
    }
  });

  it('names the field of a bad client option', () => {
    expect(() => createHttpClient({ connections: 0 })).toThrow(
      'http.connections must be an integer in [1, 10000], got 0',
    );
    expect(() => createHttpClient({ maxRedirects: 1.5 })).toThrow('http.maxRedirects');
  });
});

describe('HttpClient statuses and content', () => {
  it('turns an error status into HttpStatusError with its category', async () => {
    const error = await failure(client.get(`${server.origin}/teapot`));
    expect(isHttpStatusError(error)).toBe(true);
    expect(error).toMatchObject({ status: 418 });
    expect(classify(error).category).toBe('non_recoverable');
  });

  it('refuses an unexpected content type as content_type_mismatch', async () => {
    const error = await failure(
      client.get(`${server.origin}/text`, { expectContentType: ['image/*', 'application/pdf'] }),
    );
    expect(error).toMatchObject({ reason: 'content_type_mismatch', category: 'non_recoverable' });
    expect(error.message).toContain('Content-Type text/plain is not image/* or application/pdf');
    const ok = await client.get(`${server.origin}/json`, { expectContentType: 'application/json' });
    expect(ok.status).toBe(200);
  });

  it('revalidates with ETag: 304 comes back as notModified', async () => {
    const fresh = await client.get(`${server.origin}/etag`);
    expect(fresh).toMatchObject({ status: 200, etag: '"v1"', notModified: false });
    const again = await client.get(`${server.origin}/etag`, {
      conditional: { etag: fresh.etag! },
    });
    expect(again).toMatchObject({ status: 304, notModified: true });
    expect(again.body.length).toBe(0);
    expect(server.requests.at(-1)?.headers['if-none-match']).toBe('"v1"');
  });

  it('revalidates with Last-Modified', async () => {
    const again = await client.json(`${server.origin}/since`, {
      conditional: { lastModified: 'Wed, 21 Oct 2026 07:28:00 GMT' },
    });
    expect(again).toMatchObject({ status: 304, notModified: true, body: undefined });
  });
});

describe('HttpClient redirects', () => {
  it('follows redirects and reports the chain', async () => {
    const response = await client.get(`${server.origin}/hop?n=2`);
    expect(response.body.toString()).toBe('hello');
    expect(response.redirects).toEqual([
      `${server.origin}/hop?n=2`,
      `${server.origin}/hop?n=1`,
      `${server.origin}/hop?n=0`,
    ]);
    expect(response.url).toBe(`${server.origin}/text`);
  });

  it('detects a redirect loop and names the chain', async () => {
    const error = await failure(client.get(`${server.origin}/loop-a`));
    expect(error).toMatchObject({ reason: 'redirect_loop', category: 'non_recoverable' });
    expect(error.message).toContain(
      `chain: ${server.origin}/loop-a -> ${server.origin}/loop-b -> ${server.origin}/loop-a`,
    );
  });

  it('stops after maxRedirects with too_many_redirects', async () => {
    const error = await failure(client.get(`${server.origin}/hop?n=9`, { maxRedirects: 3 }));
    expect(error).toMatchObject({ reason: 'too_many_redirects' });
    expect((error as unknown as { chain: string[] }).chain).toHaveLength(5);
    await expect(
      client.get(`${server.origin}/hop?n=2`, { maxRedirects: 3 }),
    ).resolves.toMatchObject({ status: 200 });
  });

  it('refuses a redirect to an unsupported scheme', async () => {
    const error = await failure(client.get(`${server.origin}/to-ftp`));
    expect(error).toMatchObject({ reason: 'unsupported_scheme' });
  });

  it('turns a POST into a GET without body on 303', async () => {
    const response = await client.post(`${server.origin}/see-other`, { body: 'payload' });
    expect(response.body.length).toBe(0);
    expect(server.requests.at(-1)).toMatchObject({ method: 'GET', path: '/echo' });
  });

  it('returns a 3xx as it is with redirect: manual', async () => {
    const response = await client.get(`${server.origin}/loop-a`, { redirect: 'manual' });
    expect(response).toMatchObject({ status: 302, headers: { location: '/loop-b' } });
  });
});

describe('HttpClient limits', () => {
  it('times out waiting for headers (phase headers)', async () => {
    const started = performance.now();
    const error = await failure(client.get(`${server.origin}/never`, { headersTimeoutMs: 50 }));
    expect(isHttpTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ phase: 'headers', timeoutMs: 50 });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(classify(error).category).toBe('recoverable');
  });

  it('times out a body that stalls midway (phase body)', async () => {
    const error = await failure(client.get(`${server.origin}/stall`, { bodyTimeoutMs: 50 }));
    expect(error).toMatchObject({ phase: 'body', timeoutMs: 50 });
  });

  it('times out getting a connection (phase connect)', async () => {
    // A connector that never completes: the request never gets a socket.
    const stuck = new Agent({ connect: () => undefined });
    const stalled = createHttpClient({ dispatcher: stuck, connectTimeoutMs: 40 });
    try {
      const error = await failure(stalled.get(`${server.origin}/text`));
      expect(error).toMatchObject({ phase: 'connect', timeoutMs: 40 });
    } finally {
      await stuck.destroy();
    }
  });

  it('counts the connect phase while waiting for a free pooled connection', async () => {
    const single = createHttpClient({ connections: 1 });
    try {
      const hanging = single.get(`${server.origin}/never`, { headersTimeoutMs: 500 });
      const error = await failure(single.get(`${server.origin}/text`, { connectTimeoutMs: 30 }));
      expect(error).toMatchObject({ phase: 'connect' });
      await failure(hanging);
    } finally {
      await single.close();
    }
  });

  it('cuts a body off at the size limit while streaming (no Content-Length)', async () => {
    const error = await failure(client.get(`${server.origin}/big`, { maxResponseBytes: 4096 }));
    expect(error).toMatchObject({ reason: 'body_too_large', category: 'non_recoverable' });
    expect(error.message).toContain('limit of 4096 bytes while streaming');
  });

  it('refuses a declared Content-Length over the limit before reading', async () => {
    const error = await failure(
      client.get(`${server.origin}/big-declared`, { maxResponseBytes: 1000 }),
    );
    expect(error.message).toContain('Content-Length 10000 is over the limit of 1000 bytes');
  });

  it('enforces the size limit on a stream while it is read', async () => {
    const response = await client.stream(`${server.origin}/big`, { maxResponseBytes: 8192 });
    let read = 0;
    const error = await failure(
      (async () => {
        for await (const chunk of response.body) read += (chunk as Buffer).length;
      })(),
    );
    expect(error).toMatchObject({ reason: 'body_too_large' });
    expect(read).toBeLessThanOrEqual(8192);
  });

  it('streams a body whole when under the limit', async () => {
    const response = await client.stream(`${server.origin}/big`);
    let read = 0;
    for await (const chunk of response.body) read += (chunk as Buffer).length;
    expect(read).toBe(64 * 1024);
  });

  it('detects a body shorter than its declared Content-Length (truncated_body)', async () => {
    const error = await failure(client.get(`${server.origin}/longer-declared`));
    expect(error).toMatchObject({ reason: 'truncated_body', category: 'recoverable' });
    expect(error.message).toContain('after 50 of the 100 bytes');
  });

  it('keeps to the declared length when more bytes come, and drops that connection', async () => {
    // HTTP framing ends the message at its Content-Length: the extra bytes are a protocol error
    // on the connection (undici destroys it), not part of the body.
    const single = createHttpClient({ connections: 1 });
    try {
      const before = server.connections();
      const response = await single.get(`${server.origin}/shorter-declared`);
      expect(response.body.toString()).toBe('hello');
      const next = await single.get(`${server.origin}/text`);
      expect(next.body.toString()).toBe('hello');
      expect(server.connections() - before).toBe(2);
    } finally {
      await single.close();
    }
  });

  it('enforces attemptTimeoutMs on a whole buffered attempt but not on a streamed body', async () => {
    const timed = createHttpClient({ attemptTimeoutMs: 60 });
    try {
      const error = await failure(timed.get(`${server.origin}/stall`));
      expect(error).toMatchObject({ code: 'SLUICE_TIMEOUT', timeoutMs: 60 });
      const response = await timed.stream(`${server.origin}/stall`, { bodyTimeoutMs: 150 });
      const streamed = await failure(
        (async () => {
          for await (const chunk of response.body) void chunk;
        })(),
      );
      // The body outlived the 60 ms attempt: only its own idle limit stopped it.
      expect(streamed).toMatchObject({ code: 'SLUICE_HTTP_TIMEOUT', phase: 'body' });
    } finally {
      await timed.close();
    }
  });

  it('aborts with the caller signal', async () => {
    const controller = new AbortController();
    const pending = client.get(`${server.origin}/never`, { signal: controller.signal });
    controller.abort(new Error('stop'));
    const error = await failure(pending);
    expect(error.message).toBe('stop');
  });
});
