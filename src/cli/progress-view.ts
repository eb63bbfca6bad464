/**
 * Why: a person watching a run wants one screen that stays put: per stage done / total, rate,
 * ETA, failures, retries waiting, and the breakers that are not closed, redrawn in place. Logs
 * and CI want the opposite: plain lines now and then that read well in a file. Both go to
 * stderr, so stdout stays the run's result (a summary table, or JSON with --json).
 */
import type { StageCounts } from '../store/index.js';

export interface ProgressFrame {
  readonly runId: string;
  readonly counts: Readonly<Record<string, StageCounts>>;
  /** Items finished per second since the last frame; undefined on the first. */
  readonly ratePerSecond: number | undefined;
  /** Breakers that are not closed: `service key: state`. */
  readonly breakers: readonly string[];
}

export interface ProgressViewOptions {
  readonly write: (text: string) => void;
  /** Redraw in place (a TTY that is not CI). */
  readonly live: boolean;
  readonly color: boolean;
}

export interface ProgressView {
  draw(frame: ProgressFrame): void;
  /** Leaves the last frame on screen. */
  close(): void;
}

export function progressView(options: ProgressViewOptions): ProgressView {
  const { write, live, color } = options;
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  let drawn = 0;
  return {
    draw(frame) {
      const lines = live ? liveLines(frame, paint) : [plainLine(frame)];
      // Up over the previous frame and clear it: the frame redraws in place.
      if (live && drawn > 0) write(`\x1b[${drawn}A\x1b[0J`);
      write(`${lines.join('\n')}\n`);
      drawn = live ? lines.length : 0;
    },
    close() {
      drawn = 0;
    },
  };
}

function totals(counts: StageCounts) {
  const done = counts.completed + counts.dead + counts.skipped;
  return { done, open: counts.pending + counts.leased + counts.retry_wait };
}

function eta(open: number, rate: number | undefined): string {
  if (rate === undefined || rate <= 0) return open === 0 ? '0s' : '?';
  const s = Math.ceil(open / rate);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${s % 60}s`
      : `${s}s`;
}

function liveLines(frame: ProgressFrame, paint: (code: string, text: string) => string): string[] {
  const rate = frame.ratePerSecond;
  const lines = [`run ${frame.runId}  ${rate === undefined ? '' : `${rate.toFixed(1)} items/s`}`];
  for (const [stage, c] of Object.entries(frame.counts)) {
    const { done, open } = totals(c);
    const width = 20;
    const filled = c.total === 0 ? width : Math.round((done / c.total) * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const failed = c.dead > 0 ? paint('31', `${c.dead} failed`) : '0 failed';
    const waiting = c.retry_wait > 0 ? paint('33', `${c.retry_wait} retrying`) : '0 retrying';
    lines.push(
      `  ${stage.padEnd(16)} [${bar}] ${`${done}/${c.total}`.padStart(11)}  ${failed}  ${waiting}  eta ${eta(open, rate)}`,
    );
  }
  if (frame.breakers.length > 0)
    lines.push(`  breakers: ${paint('31', frame.breakers.join(', '))}`);
  return lines;
}

function plainLine(frame: ProgressFrame): string {
  const stages = Object.entries(frame.counts).map(([stage, c]) => {
    const { done } = totals(c);
    return `${stage} ${done}/${c.total} (${c.dead} failed, ${c.retry_wait} retrying)`;
  });
  const rate = frame.ratePerSecond === undefined ? '' : ` ${frame.ratePerSecond.toFixed(1)}/s`;
  const breakers = frame.breakers.length === 0 ? '' : ` | breakers: ${frame.breakers.join(', ')}`;
  return `sluice: ${frame.runId}${rate} | ${stages.join(' | ')}${breakers}`;
}
