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

export interface SummaryRow {
  readonly label: string;
  readonly cells: Readonly<Record<string, Cell>>;
  readonly ratio: number | null;
  readonly target: { readonly text: string; readonly met: boolean } | null;
}

export function summarize(specs: readonly RowSpec[], runs: Runs, servers: readonly string[]): SummaryRow[] {
  return specs.map((spec) => {
    const cells = Object.fromEntries(servers.map((s) => [s, cellOf(spec, runs[spec.test]?.[s])]));
    if (spec.ceiling) return ceilingRow(spec, cells, cellOf(spec, runs[spec.test]?.[CEILING]));
    const ours = cells['sockftp']?.value ?? null;
    const ratio = ratioToBestPeer(
      spec,
      ours,
      servers.filter((s) => s !== 'sockftp').map((s) => cells[s].value),
    );
    const target = spec.target ? { text: spec.target.text, met: ours !== null && spec.target.met(ours, ratio) } : null;
    return { label: spec.label, cells, ratio, target };
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
