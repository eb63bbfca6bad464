/**
 * Why: a label value that is an item ID, a URL or a host turns one metric into millions of
 * series and takes Prometheus down with it. Typed label unions keep our own values bounded, but
 * pipeline, stage, service, cache and usage names come from user code. This guard caps the
 * distinct values each label may take; past the cap, new values are folded into `_other_` and
 * `onOverflow` is told once per label, so a mistake costs one series, not an outage.
 */

/** The value that replaces label values past a label's cap. */
export const overflowLabelValue = '_other_';

export interface LabelGuardOptions {
  /** Distinct values allowed per label name (default 200). */
  readonly maxValuesPerLabel?: number;
  /** Called once per label name when its cap is first exceeded. */
  readonly onOverflow?: (label: string, droppedValue: string) => void;
}

export class LabelGuard {
  readonly #max: number;
  readonly #onOverflow: ((label: string, droppedValue: string) => void) | undefined;
  readonly #seen = new Map<string, Set<string>>();
  readonly #overflowed = new Set<string>();

  constructor(options: LabelGuardOptions = {}) {
    this.#max = options.maxValuesPerLabel ?? 200;
    this.#onOverflow = options.onOverflow;
  }

  /** Returns `value` if the label may take it, else `_other_`. Empty values become `unknown`. */
  value(label: string, value: string): string {
    const v = value === '' ? 'unknown' : value;
    let seen = this.#seen.get(label);
    if (seen === undefined) {
      seen = new Set();
      this.#seen.set(label, seen);
    }
    if (seen.has(v)) return v;
    if (seen.size < this.#max) {
      seen.add(v);
      return v;
    }
    if (!this.#overflowed.has(label)) {
      this.#overflowed.add(label);
      this.#onOverflow?.(label, v);
    }
    return overflowLabelValue;
  }
}
