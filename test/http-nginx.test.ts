/**
 * nginx as a real upstream no one here wrote (Debian's nginx-light): started on a free loopback
 * port with a generated config whose `limit_req` allows 200 requests/s (burst 40: room for the
 * scheduling jitter of a loaded two-core machine between our limiter and nginx's clock), and 2,000
 * requests sent through `ctx.http` of a service limited to 190/s. Expected: not one 503, and never
 * more than nginx's rate. The rate achieved is printed, not asserted from below: a loaded machine
 * may go slower, and figures belong in `npm run bench -- http`. Skipped when nginx is not installed, unless
 * SLUICE_REQUIRE_SERVICES=1 (then it fails); SLUICE_NGINX names another binary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHttpStatusError } from '../src/errors/index.js';
import { createServiceCaller } from '../src/runtime/index.js';

const nginx = process.env.SLUICE_NGINX ?? '/usr/sbin/nginx';
const available = existsSync(nginx);
const required = process.env.SLUICE_REQUIRE_SERVICES === '1';
const nginxRate = 200;
const sluiceRate = 190;
const requests = 2_000;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Resolves once `file` exists (nginx writes its pid file after binding its sockets). */
function whenExists(dir: string, file: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dir, () => {
      if (existsSync(join(dir, file))) {
        watcher.close();
        resolve();
      }
    });
    if (existsSync(join(dir, file))) {
      watcher.close();
      resolve();
    }
  });
}

describe.skipIf(!available && !required)('nginx upstream with limit_req', () => {
  let dir: string;
  let child: ChildProcess;
  let url: string;

  beforeAll(async () => {
    if (!available) throw new Error(`SLUICE_REQUIRE_SERVICES=1 but no nginx at ${nginx}`);
    dir = mkdtempSync(join(tmpdir(), 'sluice-nginx-'));
    // nginx's workers drop to an unprivileged user when started as root: let them read it.
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'www'));
    writeFileSync(join(dir, 'www', 'ok.txt'), 'ok\n');
    const port = await freePort();
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((name) => `  ${name}_temp_path ${join(dir, name)};`)
      .join('\n');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 512; }
http {
  access_log off;
${temp}
  limit_req_zone $server_name zone=api:1m rate=${nginxRate}r/s;
  limit_req_status 503;
  server {
    listen 127.0.0.1:${port};
    server_name sluice-test;
    root ${join(dir, 'www')};
    keepalive_requests 100000;
    location / { limit_req zone=api burst=40 nodelay; }
  }
}
`,
    );
    child = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const failed = once(child, 'exit').then(([code]) => {
      throw new Error(`nginx exited with ${String(code)} before listening`);
    });
    await Promise.race([whenExists(dir, 'nginx.pid'), failed]);
    failed.catch(() => {});
    url = `http://127.0.0.1:${port}/ok.txt`;
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`sends ${requests} requests at just under nginx's limit: no 503, never over its rate`, async () => {
    const services = createServiceCaller({
      nginx: {
        rateLimit: { ratePerSecond: sluiceRate, burst: 5 },
        http: { connections: 8 },
      },
    });
    const http = services.http('nginx', {
      signal: new AbortController().signal,
      onDegraded: () => {},
    });
    const statuses = new Map<number, number>();
    let next = 0;
    const started = performance.now();
    try {
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next++ < requests) {
            let status: number;
            try {
              status = (await http.get(url)).status;
            } catch (error) {
              if (!isHttpStatusError(error)) throw error;
              status = error.status;
            }
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          }
        }),
      );
    } finally {
      await services.policies.get('nginx')!.close();
    }
    const seconds = (performance.now() - started) / 1000;
    const achieved = requests / seconds;
    expect(Object.fromEntries(statuses)).toEqual({ 200: requests });
    expect(achieved).toBeLessThanOrEqual(nginxRate + 10);
    console.log(`nginx: ${requests} requests in ${seconds.toFixed(2)} s, ${achieved.toFixed(1)}/s`);
  }, 60_000);
});
