// Output of list verbs: aligned text columns for people, or a JSON array with --json for scripts.

export interface Column<T> {
  header: string;
  value: (row: T) => string;
}

export function printList<T>(
  rows: readonly T[],
  columns: ReadonlyArray<Column<T>>,
  options: { json: boolean; toJson: (row: T) => unknown; out?: NodeJS.WritableStream },
): void {
  const out = options.out ?? process.stdout;
  if (options.json) {
    out.write(JSON.stringify(rows.map(options.toJson), null, 2) + '\n');
    return;
  }
  if (rows.length === 0) return;
  const cells = [
    columns.map((c) => c.header.toUpperCase()),
    ...rows.map((row) => columns.map((c) => c.value(row))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  for (const line of cells) {
    out.write(
      line
        .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd() + '\n',
    );
  }
}

export function isoDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
