/** Epoch milliseconds as ISO 8601, or null. */
export const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/** Rows as an aligned text table with a header line. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
