import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import {
  RedisCoordination,
  SharedCircuitBreaker,
  SharedStateLink,
} from '../src/coordination/redis/index.js';
import { describeRedis } from '../src/testing/vitest/index.js';

const child = fileURLToPath(new URL('./fixtures/shared-breaker-child.ts', import.meta.url));

/** Resolves when `process` prints `line` on stdout. */
function printed(process: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process.stdout! });
    lines.on('line', (text) => text === line && resolve());
    process.on('exit', (code) => reject(new Error(`child exited with ${code} before '${line}'`)));
  });
}

describeRedis('a fleet of processes behind one shared breaker', (redis) => {
  it('sends exactly the configured half-open probes in total, not per process', async () => {
    let requests = 0;
    const upstream = createServer((_req, res) => {
      requests++;
      // Down: every probe fails, after long enough for every permit to be taken.
      setTimeout(() => res.writeHead(503).end('down'), 50);
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const { port } = upstream.address() as { port: number };
    const { url, prefix, client } = redis();
    const children = Array.from({ length: 3 }, () =>
      spawn(
        process.execPath,
        ['--import', 'tsx', child, url, prefix, `http://127.0.0.1:${port}/`, '1500'],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      ),
    );
    try {
      await Promise.all(children.map((c) => printed(c, 'ready')));
      // The operator's view of the same breaker trips it for the fleet: 300 ms, then probes.
      const backend = new RedisCoordination({ client });
      const link = new SharedStateLink({ backend });
      const operator = new SharedCircuitBreaker({
        link,
        name: 'fleet-probe',
        halfOpen: { permits: 3, successThreshold: 3 },
      });
      await operator.ready();
      await operator.trip(300);
      const done = children.map((c) => printed(c, 'done'));
      for (const c of children) c.stdin.write('go\n');
      await Promise.all(done);
      // 3 processes x 20 loops hammered it for 1.5 s: the round admitted 3 probes in all, they
      // failed, and it re-opened for a minute. Local breakers would have sent 3 per process.
      expect(requests).toBe(3);
      await operator.refresh();
      expect(operator.state).toBe('OPEN');
      await operator.close();
      link.close();
      await backend.close();
    } finally {
      for (const c of children) c.kill('SIGKILL');
      upstream.close();
    }
  });
});
