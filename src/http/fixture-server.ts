/**
 * A node:http server on loopback for the HTTP client's tests (and yours): routes are plain
 * handlers, and the server counts the TCP connections it accepted and records every request,
 * so a test can assert pooling, retries and the headers that arrived. Not exported from the
 * package root.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FixtureHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface FixtureRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

export interface FixtureServer {
  /** `http://<host>:<port>` */
  readonly origin: string;
  readonly port: number;
  /** TCP connections accepted so far. */
  readonly connections: () => number;
  readonly requests: FixtureRequest[];
  /** Requests to `path` so far. */
  hits(path: string): number;
  close(): Promise<void>;
}

/** Starts a server on `host` (default 127.0.0.1), port 0; unknown paths answer 404. */
export async function startFixtureServer(
  routes: Readonly<Record<string, FixtureHandler>>,
  host = '127.0.0.1',
): Promise<FixtureServer> {
  const requests: FixtureRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const route = routes[path];
    if (route) route(req, res);
    else res.writeHead(404).end('no such route');
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    port,
    connections: () => connections,
    requests,
    hits: (path) => requests.filter((r) => r.path === path).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
