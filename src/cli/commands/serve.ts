import { once } from 'node:events';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createServer } from '../../server/index.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../io.js';
import { openExistingStore } from '../open-store.js';
import { dbOption } from '../options.js';

interface ServeOptions {
  readonly db: string;
  readonly host: string;
  readonly port: number;
  readonly token?: string;
  readonly tokens?: string;
  readonly auth: boolean;
}

/**
 * `sluice serve`: the monitoring server (health, the REST API under /api/v1; docs/api.md) over an
 * existing database, until SIGINT or SIGTERM, which close the server and the store and exit 0.
 * The token comes from SLUICE_API_TOKEN rather than a flag where possible: flags show in `ps`.
 * Pipelines' own metrics live in the processes that run them, so /metrics is not served here.
 */
export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('serve health checks and the monitoring REST API (/api/v1) over a database')
    .addOption(dbOption())
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
    .addOption(
      new Option('--port <port>', 'port (0: any free one)').default(8080).argParser(parsePort),
    )
    .addOption(
      new Option('--token <token>', 'bearer token of /api/v1 (16+ characters)').env(
        'SLUICE_API_TOKEN',
      ),
    )
    .addOption(
      new Option(
        '--tokens <list>',
        'scoped tokens "name:read|admin:secret,..." or @file (prefer the env variable)',
      ).env('SLUICE_API_TOKENS'),
    )
    .addOption(new Option('--no-auth', 'serve /api/v1 without a token (trusted networks only)'))
    .action(async (options: ServeOptions) => {
      if (
        options.auth &&
        options.tokens === undefined &&
        (options.token === undefined || options.token.length < 16)
      ) {
        throw new CliError(
          'SLUICE_NO_TOKEN',
          'serve needs a bearer token of at least 16 characters for /api/v1: set SLUICE_API_TOKEN (or --token) or scoped SLUICE_API_TOKENS, or pass --no-auth on a trusted network',
        );
      }
      const store = await openExistingStore(options.db);
      try {
        const server = createServer({
          store,
          ...(!options.auth
            ? { auth: false as const }
            : {
                ...(options.token === undefined ? {} : { token: options.token }),
                ...(options.tokens === undefined ? {} : { tokens: options.tokens }),
              }),
        });
        const url = await server.listen({ host: options.host, port: options.port });
        io.stdout(`sluice: serving ${options.db} at ${url} (/health/ready, /api/v1)\n`);
        await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
        await server.close();
      } finally {
        await store.close();
      }
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`--port must be a whole number from 0 to 65535, got ${value}`);
  }
  return port;
}
