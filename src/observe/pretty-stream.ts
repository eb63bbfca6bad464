/**
 * Why: JSON lines are for machines; a developer at a terminal wants one readable line per event.
 * pino-pretty is not a dependency (nor should a runtime pull one in), so this is a tiny pino
 * destination that turns each JSON line into
 *
 *   12:04:05.123 INFO  [store] claimed a batch run_id=r1 stage=download count=50
 *
 * with the level coloured when `colors` is on, and an error's stack on the following lines.
 * Lines that are not JSON pass through unchanged.
 */

interface Writable {
  write(chunk: string): unknown;
}

const LEVELS: Record<string, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[36m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[35m',
};
const RESET = '\x1b[0m';
const OMIT = new Set(['time', 'level', 'msg', 'component', 'pid', 'hostname', 'service', 'err']);

export interface PrettyStreamOptions {
  readonly colors?: boolean;
}

function clock(time: unknown): string {
  const date = new Date(typeof time === 'number' || typeof time === 'string' ? time : Date.now());
  if (Number.isNaN(date.getTime())) return String(time);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** Formats one pino JSON line; returns it unchanged if it is not a JSON object. */
export function formatPrettyLine(line: string, options: PrettyStreamOptions = {}): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    record = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const rawLevel = record.level;
  const level =
    typeof rawLevel === 'number' ? (LEVELS[rawLevel] ?? String(rawLevel)) : String(rawLevel);
  const tag = level.toUpperCase().padEnd(5);
  const parts = [clock(record.time), options.colors ? `${COLORS[level] ?? ''}${tag}${RESET}` : tag];
  if (record.component !== undefined) parts.push(`[${show(record.component)}]`);
  if (record.msg !== undefined) {
    parts.push(typeof record.msg === 'string' ? record.msg : show(record.msg));
  }
  for (const [key, value] of Object.entries(record)) {
    if (!OMIT.has(key) && value !== undefined) parts.push(`${key}=${show(value)}`);
  }
  let out = parts.join(' ');
  const err = record.err as { message?: unknown; stack?: unknown } | undefined;
  if (err !== undefined && err !== null) {
    out +=
      typeof err.stack === 'string'
        ? `\n  ${err.stack.split('\n').join('\n  ')}`
        : ` err=${show(err)}`;
  }
  return `${out}\n`;
}

/** A pino destination writing readable lines to `out` (default process.stdout). */
export function createPrettyStream(
  out: Writable = process.stdout,
  options: PrettyStreamOptions = {},
): { write(chunk: string): void } {
  return {
    write(chunk) {
      for (const line of chunk.split('\n')) {
        if (line !== '') out.write(formatPrettyLine(line, options));
      }
    },
  };
}
