/**
 * Aligned plain-text tables for the operator verbs: a header, a rule, one line per row, columns
 * two spaces apart, numbers right-aligned and text left-aligned, no colour (output is often
 * piped). The run summary has its own fixed layout in observe/summary-table.ts.
 */
export interface Column {
  readonly header: string;
  /** Default `left`; use `right` for numbers. */
  readonly align?: 'left' | 'right';
}

export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
): string {
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        const width = widths[i] ?? 0;
        return c.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}
