/**
 * Columns a terminal gives a text: two for each wide East Asian character (Han,
 * kana, Hangul, full-width forms), one for everything else.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    width +=
      /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        char,
      )
        ? 2
        : 1;
  }
  return width;
}

/**
 * Rows as plain-text columns, indented by two spaces: every column but the last
 * padded to its widest cell. The last is not padded, so long text there (a reason,
 * an error) does not push the others apart. A header is just the first row.
 * `width` measures a cell; {@link displayWidth} aligns cells with Chinese text.
 */
export function formatColumns(
  rows: readonly (readonly string[])[],
  width: (text: string) => number = (text) => text.length,
): string[] {
  const count = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: count }, (_, i) =>
    Math.max(...rows.map((row) => width(row[i] ?? ""))),
  );
  const pad = (cell: string, to: number) => cell + " ".repeat(Math.max(0, to - width(cell)));
  return rows.map((row) =>
    `  ${row.map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i] ?? 0))).join("  ")}`.trimEnd(),
  );
}
