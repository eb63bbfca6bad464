/**
 * Why: turning on debug logs for the store alone, in production, without a redeploy. Each
 * component (policies, store, runtime, http, server, cli, or any other name) gets its level from,
 * most specific first:
 *
 *   env SLUICE_LOG_LEVEL_<COMPONENT>  >  options.componentLevels[component]
 *   >  env SLUICE_LOG_LEVEL  >  options.level  >  'info'
 *
 * At equal specificity the environment wins, so an operator can override what the code set.
 * A bad level names the variable or option it came from.
 */
import { InvalidConfigError } from '../errors/index.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export const logLevels: readonly LogLevel[] = Object.freeze([
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
]);

export type LogComponent = 'policies' | 'store' | 'runtime' | 'http' | 'server' | 'cli';
export const logComponents: readonly LogComponent[] = Object.freeze([
  'policies',
  'store',
  'runtime',
  'http',
  'server',
  'cli',
]);

export interface LogLevelOptions {
  readonly level?: LogLevel;
  readonly componentLevels?: Readonly<Partial<Record<string, LogLevel>>>;
  /** Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedLogLevels {
  readonly root: LogLevel;
  of(component: string): LogLevel;
}

function check(value: string | undefined, field: string): LogLevel | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim().toLowerCase();
  if ((logLevels as readonly string[]).includes(v)) return v as LogLevel;
  throw new InvalidConfigError(field, `one of ${logLevels.join(', ')}`, value);
}

export const componentEnvVar = (component: string): string =>
  `SLUICE_LOG_LEVEL_${component.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

export function resolveLogLevels(options: LogLevelOptions = {}): ResolvedLogLevels {
  const env = options.env ?? process.env;
  const root =
    check(env.SLUICE_LOG_LEVEL, 'SLUICE_LOG_LEVEL') ??
    check(options.level, 'logger level') ??
    'info';
  const configured = options.componentLevels ?? {};
  for (const [name, level] of Object.entries(configured)) {
    check(level, `logger componentLevels.${name}`);
  }
  for (const c of logComponents) check(env[componentEnvVar(c)], componentEnvVar(c));
  return {
    root,
    of(component) {
      const variable = componentEnvVar(component);
      return (
        check(env[variable], variable) ??
        check(configured[component], `logger componentLevels.${component}`) ??
        root
      );
    },
  };
}
