/** The report as a Markdown table: readable in a terminal, and pasted as is into bench/README.md. */
import { BASELINE, type SummaryRow, type Verdict } from './summarize.js';

export function markdownTable(rows: readonly SummaryRow[], servers: readonly string[]): string {
  const withJs = rows.some((row) => row.js !== undefined);
  const withBaseline = servers.includes(BASELINE);
  const header = [
    'test',
    ...servers,
    'sockftp vs best peer',
    'target',
    ...(withBaseline ? ['sockftp vs baseline'] : []),
    ...(withJs ? ['sockftp-js vs best peer', 'target (JS path)'] : []),
  ];
  const body = rows.map((row) => [
    row.label,
    ...servers.map((s) => row.cells[s]?.text ?? '-'),
    ...verdictCells(row),
    ...(withBaseline ? [ratioText(row.vsBaseline ?? null)] : []),
    ...(withJs ? verdictCells(row.js) : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

function verdictCells(verdict: Verdict | undefined): [string, string] {
  if (!verdict) return ['', ''];
  return [ratioText(verdict.ratio), verdict.target === null ? '' : `${verdict.target.met ? 'met' : 'MISSED'} (${verdict.target.text})`];
}

function ratioText(ratio: number | null): string {
  return ratio === null ? '' : `${ratio.toFixed(2)}x`;
}
