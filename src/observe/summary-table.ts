/**
 * Why: `sluice run` and `sluice status` end with the run summary as a table a person can read in
 * a terminal: one section per stages, services and usage, columns aligned, numbers right-aligned,
 * no colour (the output may be piped).
 */
import type { RunSummary } from './run-summary.js';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const percent = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(1)}%`);
const ms = (v: number | null) =>
  v === null ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${v.toFixed(v < 10 ? 1 : 0)}ms`;
const num = (n: number) => n.toLocaleString('en-US');

export function renderRunSummary(summary: RunSummary): string {
  const title = [
    `Run ${summary.runId ?? ''}`.trimEnd(),
    summary.pipeline === undefined ? '' : `(${summary.pipeline})`,
    `in ${ms(summary.durationMs)}`,
  ]
    .filter((s) => s !== '')
    .join(' ');
  const out = [title];
  const stages = Object.entries(summary.stages);
  if (stages.length > 0) {
    out.push(
      '',
      table(
        ['stage', 'processed', 'failed', 'retried', 'skipped', 'success', 'p50', 'p95'],
        stages.map(([name, s]) => [
          name,
          num(s.processed),
          num(s.failed),
          num(s.retried),
          num(s.skipped),
          percent(s.successRate),
          ms(s.p50Ms),
          ms(s.p95Ms),
        ]),
      ),
    );
  }
  const services = Object.entries(summary.services);
  if (services.length > 0) {
    out.push(
      '',
      table(
        ['service', 'calls', 'failures', 'fallbacks', 'breaker trips', 'success', 'p95'],
        services.map(([name, s]) => [
          name,
          num(s.calls),
          num(s.failures),
          num(s.fallbacks),
          num(s.breakerTrips),
          percent(s.successRate),
          ms(s.p95Ms),
        ]),
      ),
    );
  }
  const usage = Object.entries(summary.usage);
  if (usage.length > 0) {
    out.push(
      '',
      table(
        ['usage', 'total'],
        usage.map(([name, n]) => [name, num(n)]),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
