/** Plain-text tables with aligned columns, as kubectl and squeue print them. */

/** Cell is what a table cell may hold; null and undefined render as empty. */
export type Cell = string | number | null | undefined;

/** TableOptions tune renderTable. */
export interface TableOptions {
  /** Spaces between columns; default 2 (at least 1). */
  gap?: number;
}

function width(s: string): number {
  return [...s].length;
}

function cellText(c: Cell): string {
  if (c === null || c === undefined) return '';
  return String(c).replace(/\r?\n/g, ' ');
}

/**
 * renderTable lays out a header row and data rows with every column as wide as
 * its widest cell, separated by `gap` spaces. Lines carry no trailing spaces;
 * the result has no final newline. Short rows are padded with empty cells.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[], opts: TableOptions = {}): string {
  const gap = ' '.repeat(Math.max(1, opts.gap ?? 2));
  const cols = Math.max(headers.length, ...rows.map((r) => r.length));
  const text = [headers.map(cellText), ...rows.map((r) => r.map(cellText))].map((r) => Array.from({ length: cols }, (_, i) => r[i] ?? ''));
  const widths = Array.from({ length: cols }, (_, i) => Math.max(...text.map((r) => width(r[i] ?? ''))));
  return text
    .map((r) =>
      r
        .map((c, i) => (i === cols - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c))))
        .join(gap)
        .trimEnd(),
    )
    .join('\n');
}

/** renderFields lays out `Label:  value` pairs with the values aligned; pairs whose value is undefined are skipped. */
export function renderFields(pairs: readonly (readonly [string, Cell])[]): string {
  const shown = pairs.filter(([, v]) => v !== undefined);
  const w = Math.max(0, ...shown.map(([k]) => width(k) + 1));
  return shown.map(([k, v]) => `${(k + ':').padEnd(w)}  ${cellText(v)}`.trimEnd()).join('\n');
}
