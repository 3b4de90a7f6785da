/** Shared output for benchmarks: rows of measurements printed as a Markdown table. */

export interface Row {
  /** What was measured. */
  name: string;
  /** The measurement, formatted with its unit. */
  value: string;
  /** The target, when there is one (e.g. "≤ 2 ms"). */
  bar?: string;
  /** Whether the measurement meets the bar; omitted when there is nothing to judge. */
  ok?: boolean;
}

/** Escape a cell: pipes would split it and newlines would end the row. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The Markdown for one table: a `### title` heading, then name | value | bar | ok. */
export function formatTable(title: string, rows: readonly Row[]): string {
  const lines = [`### ${title}`, '', '| measurement | value | bar | ok |', '|---|---:|---|:-:|'];
  for (const r of rows) {
    const ok = r.ok === undefined ? '' : r.ok ? '✅' : '❌';
    lines.push(`| ${cell(r.name)} | ${cell(r.value)} | ${cell(r.bar ?? '')} | ${ok} |`);
  }
  return lines.join('\n') + '\n';
}

/** Print a table to stdout (with a blank line after it, so several tables concatenate into one document). */
export function printTable(title: string, rows: readonly Row[]): void {
  console.log(formatTable(title, rows));
}
