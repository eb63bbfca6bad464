import pg from 'pg';
import { Redis } from 'ioredis';

/** The real services a test may need, where to find them, and how to start one that is down. */
export type ServiceName = 'postgres' | 'redis';

export interface ServiceStatus {
  readonly name: ServiceName;
  readonly url: string;
  /** null when reachable; otherwise why not. */
  readonly problem: string | null;
}

export const serviceDefaults: Readonly<
  Record<ServiceName, { env: string; url: string; start: string }>
> = Object.freeze({
  postgres: {
    env: 'SLUICE_TEST_PG_URL',
    url: 'postgres://postgres@127.0.0.1:5432/test',
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  redis: {
    env: 'SLUICE_TEST_REDIS_URL',
    url: 'redis://127.0.0.1:6379',
    start: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
  },
});

export function serviceUrl(name: ServiceName, env: NodeJS.ProcessEnv = process.env): string {
  const defaults = serviceDefaults[name];
  return env[defaults.env] || defaults.url;
}

/** Connects once to each service with a short timeout and reports which are reachable. */
export async function probeService(
  name: ServiceName,
  url = serviceUrl(name),
): Promise<ServiceStatus> {
  try {
    if (name === 'postgres') await probePostgres(url);
    else await probeRedis(url);
    return { name, url, problem: null };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    return { name, url, problem: typeof code === 'string' ? `${code}: ${message}` : message };
  }
}

/** The message a required service that is down fails the run with. */
export function unreachableMessage(status: ServiceStatus): string {
  const defaults = serviceDefaults[status.name];
  return `${status.name} not reachable at ${status.url} (${status.problem}). Start it with \`${defaults.start}\`, or point ${defaults.env} at a running one.`;
}

async function probePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeRedis(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // ioredis rejects connect() with a bare "Connection is closed"; the socket's error says why.
  let socketError: unknown;
  client.on('error', (error: unknown) => {
    socketError ??= error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw socketError ?? error;
  } finally {
    client.disconnect();
  }
}
