/**
 * From every measurement to one figure per row and server, sockftp's ratio
 * to the best peer (above 1 means sockftp is better, for times too), and
 * whether sockftp meets its target.
 */
import { median } from './statistics.js';
import type { RowSpec } from './rows.js';

/** One measurement of one subject (a server, or the client's ceiling) in one repetition. */
export interface RunRecord {
  readonly values: Readonly<Record<string, number | null>>;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly error?: string;
}

/** Test id -> subject -> the measurements, in repetition order. */
export type Runs = Record<string, Record<string, RunRecord[]>>;

/** The subject name under which a test's ceiling measurements are kept. */
export const CEILING = 'client ceiling';

export interface Cell {
  /** The combined figure; null when there is none (not run, not supported, every run failed). */
  readonly value: number | null;
  readonly min?: number;
  readonly max?: number;
  readonly text: string;
}

/** The subjects that are sockftp: the build as installed, and the same build with its native addon off. */
export const SOCKFTP = 'sockftp';
export const SOCKFTP_JS = 'sockftp-js';
const OURS = new Set([SOCKFTP, SOCKFTP_JS]);

/** One sockftp subject against the best peer: the ratio, and whether its target is met. */
export interface Verdict {
  readonly ratio: number | null;
  readonly target: { readonly text: string; readonly met: boolean } | null;
}

export interface SummaryRow extends Verdict {
  readonly label: string;
  readonly cells: Readonly<Record<string, Cell>>;
  /** The JavaScript path alone (sockftp-js), when it ran: its own column, against the same peers. */
  readonly js?: Verdict;
}

export function summarize(specs: readonly RowSpec[], runs: Runs, servers: readonly string[]): SummaryRow[] {
  return specs.map((spec) => {
    const cells = Object.fromEntries(servers.map((s) => [s, cellOf(spec, runs[spec.test]?.[s])]));
    if (spec.ceiling) return ceilingRow(spec, cells, cellOf(spec, runs[spec.test]?.[CEILING]));
    const peers = servers.filter((s) => !OURS.has(s)).map((s) => cells[s].value);
    const verdict = (subject: string): Verdict => {
      const ours = cells[subject]?.value ?? null;
      const ratio = ratioToBestPeer(spec, ours, peers);
      return { ratio, target: spec.target ? { text: spec.target.text, met: ours !== null && spec.target.met(ours, ratio) } : null };
    };
    const row = { label: spec.label, cells, ...verdict(SOCKFTP) };
    return servers.includes(SOCKFTP_JS) ? { ...row, js: verdict(SOCKFTP_JS) } : row;
  });
}

function cellOf(spec: RowSpec, records: readonly RunRecord[] | undefined): Cell {
  if (!records || records.length === 0) return { value: null, text: '-' };
  const failed = records.filter((r) => r.error !== undefined).length;
  const numbers = records.flatMap((r) => (r.error === undefined && typeof r.values[spec.value] === 'number' ? [r.values[spec.value] as number] : []));
  if (numbers.length === 0) return { value: null, text: failed > 0 ? 'error' : 'n/a' };
  const format = (n: number) => n.toFixed(spec.digits);
  const failures = failed > 0 ? ` [${failed} of ${records.length} runs failed]` : '';
  if (spec.combine === 'sum') return { value: sum(numbers), text: format(sum(numbers)) + failures };
  if (spec.combine === 'max') return { value: Math.max(...numbers), text: format(Math.max(...numbers)) + failures };
  const [min, max] = [Math.min(...numbers), Math.max(...numbers)];
  const range = numbers.length > 1 ? ` (${format(min)}-${format(max)})` : '';
  return { value: median(numbers), min, max, text: format(median(numbers)) + range + failures };
}

/** The ceiling in the label; in each server's cell, the share of it that the server reached. */
function ceilingRow(spec: RowSpec, servers: Record<string, Cell>, ceiling: Cell): SummaryRow {
  const share = (cell: Cell) => (cell.value === null || !ceiling.value ? cell.text : `${Math.round((100 * cell.value) / ceiling.value)}% of it`);
  const cells = Object.fromEntries(Object.entries(servers).map(([name, cell]) => [name, { ...cell, text: share(cell) }]));
  return { label: `${spec.label}: ${ceiling.text} MiB/s`, cells: { ...cells, [CEILING]: ceiling }, ratio: null, target: null };
}

function ratioToBestPeer(spec: RowSpec, ours: number | null, peers: readonly (number | null)[]): number | null {
  const figures = peers.filter((v): v is number => v !== null);
  if (spec.better === null || ours === null || figures.length === 0) return null;
  return spec.better === 'higher' ? ours / Math.max(...figures) : Math.min(...figures) / ours;
}

function sum(numbers: readonly number[]): number {
  return numbers.reduce((a, b) => a + b, 0);
}
