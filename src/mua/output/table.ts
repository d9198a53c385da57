// Aligned columns for people: widths by display width, the flexible columns (subject, sender) shrunk to
// fit the terminal, cut cells ending in "…". Cell text is made terminal-safe here, so callers pass raw
// values. Colour codes are added after padding so they never count towards a width.

import { paint, type Style, type TerminalInfo } from './style.ts';
import { safeLine } from './terminal-safe.ts';
import { padToWidth, textWidth, truncateToWidth } from './text-width.ts';

export interface TableColumn<T> {
  header: string;
  value(row: T): string;
  align?: 'left' | 'right';
  /** Share of the shrinking when the table is too wide; 0 (default) keeps the column whole. */
  flex?: number;
  /** Narrowest a flexible column gets. */
  min?: number;
  style?(row: T): Style | null;
}

const GAP = 2;

export function renderTable<T>(
  rows: readonly T[],
  columns: ReadonlyArray<TableColumn<T>>,
  terminal: TerminalInfo,
): string[] {
  const cells = rows.map((row) => columns.map((c) => safeLine(c.value(row))));
  const widths = columns.map((c, i) =>
    Math.max(textWidth(c.header), ...cells.map((line) => textWidth(line[i] ?? ''))),
  );
  if (terminal.width !== null) fitWidths(widths, columns, terminal.width);
  const lines: string[] = [];
  const formatLine = (values: string[], styleOf: (i: number) => Style | null) =>
    values
      .map((value, i) => {
        const column = columns[i]!;
        const width = widths[i]!;
        const cut = truncateToWidth(value, width);
        const last = i === values.length - 1;
        const padded = last && column.align !== 'right' ? cut : padToWidth(cut, width, column.align);
        return paint(padded, styleOf(i), terminal);
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  lines.push(
    formatLine(
      columns.map((c) => c.header.toUpperCase()),
      () => 'bold',
    ),
  );
  rows.forEach((row, r) => {
    lines.push(formatLine(cells[r]!, (i) => columns[i]!.style?.(row) ?? null));
  });
  return lines;
}

/** Shrinks flexible columns, in proportion to their flex, until the line fits (or all are at their min). */
function fitWidths<T>(widths: number[], columns: ReadonlyArray<TableColumn<T>>, total: number): void {
  const used = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  for (let guard = 0; guard < 1000 && used() > total; guard++) {
    const shrinkable = columns
      .map((c, i) => ({ i, flex: c.flex ?? 0, min: c.min ?? 8 }))
      .filter((c) => c.flex > 0 && widths[c.i]! > c.min);
    if (shrinkable.length === 0) return;
    const excess = used() - total;
    const flexSum = shrinkable.reduce((a, c) => a + c.flex, 0);
    for (const c of shrinkable) {
      const cut = Math.max(1, Math.floor((excess * c.flex) / flexSum));
      widths[c.i] = Math.max(c.min, widths[c.i]! - cut);
    }
  }
}
