/** Draws a table with box-drawing characters; the first row is the header. Numbers are right-aligned. */
export function drawTable(rows: ReadonlyArray<readonly string[]>): string {
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (left: string, mid: string, right: string): string =>
    left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;
  const numeric = /^[-+]?[\d,.]+( ?[%a-zµ/]+)?$/i;
  const row = (cells: readonly string[], header: boolean): string =>
    `│${widths
      .map((w, c) => {
        const cell = cells[c] ?? '';
        const padded = !header && c > 0 && numeric.test(cell) ? cell.padStart(w) : cell.padEnd(w);
        return ` ${padded} `;
      })
      .join('│')}│`;
  const out = [line('┌', '┬', '┐'), row(rows[0] ?? [], true), line('├', '┼', '┤')];
  for (const r of rows.slice(1)) out.push(row(r, false));
  out.push(line('└', '┴', '┘'));
  return out.join('\n');
}
