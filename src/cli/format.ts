/** How the operator verbs show times, numbers and error messages to people. */

/** `2025-11-23T19:18:07Z` (UTC, to the second), or `-` when there is none. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `42.5/s`, or `-` when unknown. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined) return '-';
  return `${perSecond >= 100 ? Math.round(perSecond) : perSecond.toFixed(1)}/s`;
}

/** `45s`, `12m 05s`, `3h 20m`, or `-` when unknown. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

/** An error message on one table line: whitespace collapsed, cut at `max` characters. */
export function oneLine(text: string | null | undefined, max = 80): string {
  if (text === null || text === undefined || text === '') return '-';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
