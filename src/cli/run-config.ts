/**
 * Why: a run is configured from three places, merged in one documented order, flags over the
 * environment (`SLUICE_*`) over a config file (`sluice.config.json`, `.ts` or `.js` in the
 * working directory, or `--config FILE`) over the defaults, and every value is validated with
 * the field and where it came from named (`SLUICE_CONCURRENCY must be an integer >= 1, got
 * "many"`), before anything is opened.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { InvalidConfigError } from '../errors/index.js';

export interface RunConfig {
  readonly db: string;
  readonly concurrency: number | undefined;
  readonly limit: number | undefined;
  readonly serve: boolean;
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  /** After Ctrl-C / SIGTERM: how long in-flight items may take to finish. */
  readonly shutdownDeadlineMs: number;
}

export const runConfigDefaults = Object.freeze({
  db: '.sluice/sluice.db',
  serve: false,
  port: 8080,
  host: '127.0.0.1',
  logLevel: 'warn',
  shutdownDeadlineMs: 10_000,
});

/** The environment variable of each field. */
export const runConfigEnv: Readonly<Record<keyof RunConfig, string>> = Object.freeze({
  db: 'SLUICE_DB',
  concurrency: 'SLUICE_CONCURRENCY',
  limit: 'SLUICE_LIMIT',
  serve: 'SLUICE_SERVE',
  port: 'SLUICE_PORT',
  host: 'SLUICE_HOST',
  logLevel: 'SLUICE_LOG_LEVEL',
  shutdownDeadlineMs: 'SLUICE_SHUTDOWN_DEADLINE_MS',
});

const positiveInt = z.coerce
  .number({ error: 'an integer >= 1' })
  .int('an integer >= 1')
  .min(1, 'an integer >= 1');
const fields = {
  db: z.string({ error: 'a SQLite file path' }).min(1, 'a SQLite file path'),
  concurrency: positiveInt,
  limit: positiveInt,
  serve: z.union(
    [z.boolean(), z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1')],
    {
      error: 'true or false',
    },
  ),
  port: z.coerce
    .number({ error: 'a port from 0 to 65535' })
    .int('a port from 0 to 65535')
    .min(0, 'a port from 0 to 65535')
    .max(65_535, 'a port from 0 to 65535'),
  host: z.string({ error: 'a host name or address' }).min(1, 'a host name or address'),
  shutdownDeadlineMs: z.coerce
    .number({ error: 'milliseconds, an integer >= 0' })
    .int('milliseconds, an integer >= 0')
    .min(0, 'milliseconds, an integer >= 0'),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
    error: 'one of trace, debug, info, warn, error, fatal, silent',
  }),
} as const;

type Field = keyof typeof fields;
const fieldNames = Object.keys(fields) as Field[];

export const configFileNames = ['sluice.config.json', 'sluice.config.ts', 'sluice.config.js'];

/** Reads the config file: `path`, or the first of configFileNames in `cwd`; {} if none. */
export async function readConfigFile(
  path: string | undefined,
  cwd: string,
): Promise<{ values: Record<string, unknown>; file: string | undefined }> {
  const file =
    path === undefined
      ? configFileNames.map((n) => resolve(cwd, n)).find((p) => existsSync(p))
      : resolve(cwd, path);
  if (file === undefined) return { values: {}, file: undefined };
  if (!existsSync(file)) throw new InvalidConfigError('--config', 'an existing config file', path);
  let values: unknown;
  if (file.endsWith('.json')) {
    try {
      values = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new InvalidConfigError(
        file,
        `valid JSON (${(error as Error).message})`,
        '<unparsable>',
      );
    }
  } else {
    const { tsImport } = await import('tsx/esm/api');
    const module = (await tsImport(pathToFileURL(file).href, import.meta.url)) as {
      default?: unknown;
    };
    values = module.default;
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new InvalidConfigError(
      file,
      'an object of settings (export default { ... } in .ts/.js)',
      values,
    );
  }
  return { values: values as Record<string, unknown>, file };
}

/**
 * Merges flags over env over the config file over the defaults, validating each value where
 * it came from. `flags` holds only what was given on the command line.
 */
export function resolveRunConfig(
  flags: Partial<Record<Field, unknown>>,
  env: NodeJS.ProcessEnv,
  file: { values: Record<string, unknown>; file: string | undefined },
): RunConfig {
  for (const key of Object.keys(file.values)) {
    if (!(fieldNames as string[]).includes(key)) {
      throw new InvalidConfigError(
        `${file.file ?? 'config'}: ${key}`,
        `absent (known settings: ${fieldNames.join(', ')})`,
        file.values[key],
      );
    }
  }
  const resolved: Record<string, unknown> = { ...runConfigDefaults };
  for (const field of fieldNames) {
    const sources: [string, unknown][] = [
      [field === 'shutdownDeadlineMs' ? '--shutdown-deadline' : `--${kebab(field)}`, flags[field]],
      [runConfigEnv[field], env[runConfigEnv[field]]],
      [`${file.file ?? 'config'}: ${field}`, file.values[field]],
    ];
    const found = sources.find(([, value]) => value !== undefined && value !== '');
    if (found === undefined) continue;
    const [where, value] = found;
    const parsed = fields[field].safeParse(value);
    if (!parsed.success)
      throw new InvalidConfigError(where, parsed.error.issues[0]!.message, value);
    resolved[field] = parsed.data;
  }
  return Object.freeze(resolved) as unknown as RunConfig;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
