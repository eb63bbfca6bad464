/**
 * The HTTP client (issue #11): requests per second through `ctx.http` (the service caller with
 * retry, breaker per host and attempt timeout, our phase timers and size limit) against plain
 * undici `request` on an Agent with the same keep-alive pool, the same concurrency and the same
 * local server. The server runs in a child process so that its work is not billed to either
 * client. Rounds alternate (sluice, undici, sluice, ...) so load on a shared machine spreads
 * over both; reported: the median of each side's rounds and the median of the per-round ratios (sluice / undici).
 *
 *   {"suite":"http","case":"keepalive_get","lib":"sluice","ratio":...,"rps":...}
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { openArtifactCache } from '../../src/cache/index.js';
import { createSqliteCacheIndex } from '../../src/store/index.js';
import { createServiceCaller } from '../../src/runtime/index.js';
import type { BenchRecord, BenchSuite } from '../suite.js';

const concurrency = 16;
const connections = 16;

const serverScript = `
const http = require('node:http');
const body = Buffer.alloc(1024, 120);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', serverScript], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.once('error', reject);
    child.stdout.once('data', (data: Buffer) =>
      resolve({ child, url: `http://127.0.0.1:${data.toString().trim()}/item` }),
    );
  });
}

/** Runs `total` calls of `once`, `concurrency` at a time; returns requests per second. */
async function drive(total: number, once: () => Promise<number>): Promise<number> {
  let next = 0;
  let bytes = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        const n = await once();
        bytes += n;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (bytes !== total * 1024) throw new Error(`read ${bytes} bytes, expected ${total * 1024}`);
  return total / seconds;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

export const suite: BenchSuite = {
  description: `GET of 1 KiB, keep-alive pool of ${connections}, ${concurrency} in flight: ctx.http with policies vs plain undici`,
  async run(emit: (record: BenchRecord) => void, { scale }) {
    // Short rounds, many of them, in alternating order: the machine's load drifts within seconds.
    const total = Math.max(500, Math.round(4_000 * scale));
    const rounds = scale < 1 ? 6 : 20;
    const { child, url } = await startServer();
    const services = createServiceCaller({
      web: {
        retry: { maxAttempts: 3 },
        circuitBreaker: {},
        timeoutMs: 5_000,
        http: { connections },
      },
    });
    const signal = new AbortController().signal;
    const http = services.http('web', { signal, onDegraded: () => {} });
    const agent = new Agent({ connections, keepAliveTimeout: 4_000 });
    const sluiceOnce = async (): Promise<number> => (await http.get(url)).body.length;
    // The floor: undici's raw dispatch with a handler that only collects the body.
    const target = new URL(url);
    const dispatchOnce = (): Promise<number> =>
      new Promise((resolve, reject) => {
        let length = 0;
        agent.dispatch(
          { origin: target.origin, path: target.pathname, method: 'GET' },
          {
            onRequestStart() {},
            onResponseStart() {},
            onResponseData(_controller, chunk: Buffer) {
              length += chunk.length;
            },
            onResponseEnd() {
              resolve(length);
            },
            onResponseError(_controller, error: Error) {
              reject(error);
            },
          },
        );
      });
    const undiciOnce = async (): Promise<number> => {
      const response = await request(url, { dispatcher: agent });
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
      return (await response.body.arrayBuffer()).byteLength;
    };
    try {
      // Warm both pools and the JIT.
      await drive(Math.min(total, 2_000), sluiceOnce);
      await drive(Math.min(total, 2_000), undiciOnce);
      await drive(Math.min(total, 2_000), dispatchOnce);
      const sluice: number[] = [];
      const undici: number[] = [];
      const dispatch: number[] = [];
      const sides: [number[], () => Promise<number>][] = [
        [sluice, sluiceOnce],
        [undici, undiciOnce],
        [dispatch, dispatchOnce],
      ];
      for (let round = 0; round < rounds; round++) {
        // Rotate who goes first, so no side always runs on a warmer (or busier) machine.
        for (let i = 0; i < sides.length; i++) {
          const [into, once] = sides[(round + i) % sides.length]!;
          into.push(await drive(total, once));
        }
      }
      const s = median(sluice);
      const u = median(undici);
      const d = median(dispatch);
      const ratio = median(sluice.map((rps, i) => rps / undici[i]!));
      const vsDispatch = median(sluice.map((rps, i) => rps / dispatch[i]!));
      const common = {
        suite: 'http',
        case: 'keepalive_get',
        backend: 'loopback',
        concurrency,
        connections,
        requests: total,
        rounds,
      };
      emit({ ...common, lib: 'undici-dispatch', rps: Math.round(d) });
      emit({ ...common, lib: 'undici', rps: Math.round(u) });
      emit({
        ...common,
        lib: 'sluice',
        rps: Math.round(s),
        ratio: Math.round(ratio * 1000) / 1000,
        vs_dispatch: Math.round(vsDispatch * 1000) / 1000,
      });
    } finally {
      await agent.close();
      await services.policies.get('web')!.close();
      child.kill();
    }
    emit(await cacheCleanup(Math.max(1_000, Math.round(10_000 * scale))));
  },
};

/**
 * The artifact cache's retention cleanup over `count` entries, all past retention, in one
 * `cleanupOldEntries()` call (the users' figure: 1,000+ images in under 5 s):
 *   {"suite":"http","case":"cache_cleanup_10k","lib":"sluice","entries":...,"ms":...}
 */
async function cacheCleanup(count: number): Promise<BenchRecord> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-cache-'));
  const clock = { t: Date.now() };
  const now = () => clock.t;
  const index = await createSqliteCacheIndex({ path: join(dir, 'index.db'), cache: 'bench' });
  const cache = await openArtifactCache({
    dir: join(dir, 'cache'),
    index,
    retentionDays: 30,
    cleanupIntervalMs: 0,
    clock: now,
  });
  try {
    for (let i = 0; i < count; i++) await cache.put(`https://img.example/${i}.png`, `image ${i}`);
    clock.t += 31 * 86_400_000;
    const started = performance.now();
    const report = await cache.cleanupOldEntries();
    const ms = performance.now() - started;
    if (report.deleted_count !== count)
      throw new Error(`deleted ${report.deleted_count} of ${count}`);
    return {
      suite: 'http',
      case: 'cache_cleanup_10k',
      lib: 'sluice',
      backend: 'sqlite+disk',
      entries: count,
      ms: Math.round(ms),
      freed_mb: report.freed_mb,
      empty_dirs_removed: report.empty_dirs_removed,
    };
  } finally {
    await cache.close();
    await index.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
