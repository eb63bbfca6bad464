/**
 * Why: what the API returns is the store's own records, with two deliberate changes: absent
 * values are `null` rather than missing keys (a client can tell "none" from "not sent"), and a
 * run's summary is served by its own route instead of riding along in every run of a list.
 */
import type { RunStatusReport } from '../runtime/index.js';
import type { Page, RunRecord } from '../store/index.js';

export type RunView = Omit<RunRecord, 'summary'> & { readonly hasSummary: boolean };

export function runView(run: RunRecord): RunView {
  const { summary, ...rest } = run;
  return { ...rest, options: run.options ?? null, hasSummary: summary !== undefined };
}

export interface PageView<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly next: string | null;
}

export function pageView<T, U = T>(page: Page<T>, view?: (item: T) => U): PageView<U> {
  return {
    items: view ? page.items.map(view) : (page.items as readonly unknown[] as readonly U[]),
    next: page.next ?? null,
  };
}

export interface RunStatusView {
  readonly counts: RunStatusReport['counts'];
  readonly finished: number;
  readonly open: number;
  readonly dead: number;
  readonly throughputPerSecond: number | null;
  readonly etaSeconds: number | null;
  readonly lastCheckpointAt: number | null;
}

export function runStatusView(report: RunStatusReport): RunStatusView {
  return {
    counts: report.counts,
    finished: report.finished,
    open: report.open,
    dead: report.dead,
    throughputPerSecond: report.throughputPerSecond ?? null,
    etaSeconds: report.etaSeconds ?? null,
    lastCheckpointAt: report.lastCheckpointAt ?? null,
  };
}
