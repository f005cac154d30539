/**
 * From every measurement to one figure per row and server, sockftp's ratio
 * to the best peer (above 1 means sockftp is better, for times too), and
 * whether sockftp meets its target; with a baseline build, sockftp's ratio
 * to it, the same way round.
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

/**
 * The subjects that are sockftp: the build as installed, the same build with
 * its native addon off, and another build given with --baseline (an older
 * commit's). None of them is a peer of the others.
 */
export const SOCKFTP = 'sockftp';
export const SOCKFTP_JS = 'sockftp-js';
export const BASELINE = 'sockftp (baseline)';
const OURS = new Set<string>([SOCKFTP, SOCKFTP_JS, BASELINE]);

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
  /** sockftp against the baseline build, when it ran (null: no figure for one of them, or a count of failures). */
  readonly vsBaseline?: number | null;
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
    return {
      label: spec.label,
      cells,
      ...verdict(SOCKFTP),
      ...(servers.includes(SOCKFTP_JS) && { js: verdict(SOCKFTP_JS) }),
      ...(servers.includes(BASELINE) && { vsBaseline: ratioTo(spec, cells[SOCKFTP]?.value ?? null, cells[BASELINE].value) }),
    };
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
  if (figures.length === 0) return null;
  return ratioTo(spec, ours, spec.better === 'higher' ? Math.max(...figures) : Math.min(...figures));
}

/**
 * Ours against theirs, the two figures the row shows (medians where there are
 * repetitions), written so that above 1 means ours is better: ours / theirs
 * for rates, theirs / ours for times and memory.
 */
function ratioTo(spec: Pick<RowSpec, 'better'>, ours: number | null, theirs: number | null): number | null {
  if (spec.better === null || ours === null || theirs === null) return null;
  return spec.better === 'higher' ? ours / theirs : theirs / ours;
}

function sum(numbers: readonly number[]): number {
  return numbers.reduce((a, b) => a + b, 0);
}
