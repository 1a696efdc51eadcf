/**
 * Rows as plain-text columns, indented by two spaces: every column but the last
 * padded to its widest cell. The last is not padded, so long text there (a reason,
 * an error) does not push the others apart. A header is just the first row.
 */
export function formatColumns(rows: readonly (readonly string[])[]): string[] {
  const count = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: count }, (_, i) =>
    Math.max(...rows.map((row) => (row[i] ?? "").length)),
  );
  return rows.map((row) =>
    `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")}`.trimEnd(),
  );
}
