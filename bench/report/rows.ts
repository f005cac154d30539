/** The rows of the report: which figure of which test, which way is better, and sockftp's target. */
import type { BenchPlan } from '../BenchPlan.js';
import { MiB } from '../paths.js';

export interface Target {
  /** As printed: ">= 1.0x", "< 64 MiB". */
  readonly text: string;
  /** Whether sockftp's figure (and its ratio to the best peer, when there is one) meets it. */
  met(value: number, ratio: number | null): boolean;
}

export interface RowSpec {
  readonly label: string;
  /** The test id, or "memory" for what the sampler saw outside any test. */
  readonly test: string;
  /** The name of the figure in the test's measurements. */
  readonly value: string;
  /** Which way is better, for the ratio to the best peer; null: no ratio (a count of failures). */
  readonly better: 'higher' | 'lower' | null;
  readonly digits: number;
  /** How repetitions become one figure: their median (shown with the range), their sum, or their highest. */
  readonly combine: 'median' | 'sum' | 'max';
  readonly target?: Target;
  /** A row of the client's ceiling: the figure without FTP, and each server's share of it. */
  readonly ceiling?: boolean;
}

const atLeastAsGood: Target = { text: '>= 1.0x', met: (_value, ratio) => ratio !== null && ratio >= 1 };
const noSlower: Target = { text: 'no slower than the best peer', met: (_value, ratio) => ratio !== null && ratio >= 1 };
const none: Target = { text: '0', met: (value) => value === 0 };
const below = (mib: number): Target => ({ text: `< ${mib} MiB`, met: (value) => value < mib });

export function reportRows(plan: BenchPlan): RowSpec[] {
  const big = size(plan.bigBytes);
  const small = `${plan.smallFiles} x ${size(plan.smallFileBytes)}`;
  const entries = plan.listEntries.toLocaleString('en-US');
  const throughput = { better: 'higher', digits: 0, combine: 'median' } as const;
  const seconds = { better: 'lower', digits: 3, combine: 'median' } as const;
  const memory = { better: 'lower', digits: 1, combine: 'max' } as const;
  const largest = Math.max(...plan.clientCounts);
  return [
    { label: `RETR ${big}, MiB/s`, test: 'retr-big', value: 'mibPerSecond', ...throughput, target: atLeastAsGood },
    { label: `client ceiling, receive ${big} without FTP`, test: 'retr-big', value: 'mibPerSecond', ...throughput, ceiling: true },
    { label: `STOR ${big}, MiB/s`, test: 'stor-big', value: 'mibPerSecond', ...throughput, target: atLeastAsGood },
    { label: `client ceiling, send ${big} without FTP`, test: 'stor-big', value: 'mibPerSecond', ...throughput, ceiling: true },
    { label: `STOR ${small} on one session, files/s`, test: 'small-files', value: 'storeFilesPerSecond', ...throughput, target: atLeastAsGood },
    { label: `RETR ${small} on one session, files/s`, test: 'small-files', value: 'retrieveFilesPerSecond', ...throughput, target: atLeastAsGood },
    { label: `LIST of ${entries} entries, s`, test: 'listings', value: 'LISTSeconds', ...seconds, target: noSlower },
    { label: `MLSD of ${entries} entries, s`, test: 'listings', value: 'MLSDSeconds', ...seconds, target: noSlower },
    ...plan.clientCounts.flatMap((count): RowSpec[] => {
      const test = `clients-${count}`;
      const what = `${count} clients x RETR ${size(plan.clientFileBytes)}`;
      const most = count === largest;
      return [
        { label: `${what}: aggregate MiB/s`, test, value: 'aggregateMibPerSecond', ...throughput, ...(most && { target: atLeastAsGood }) },
        { label: `${what}: latency p50, s`, test, value: 'latencyP50Seconds', ...seconds },
        { label: `${what}: latency p99, s`, test, value: 'latencyP99Seconds', ...seconds },
        { label: `${what}: failed clients (all runs)`, test, value: 'failedClients', better: null, digits: 0, combine: 'sum', ...(most && { target: none }) },
      ];
    }),
    { label: 'idle RSS after start, MiB', test: 'memory', value: 'idleRssMiB', ...memory, target: below(64) },
    { label: `peak RSS during ${largest} clients, MiB`, test: `clients-${largest}`, value: 'peakRssMiB', ...memory, target: below(128) },
    { label: 'peak RSS over the whole run, MiB', test: 'memory', value: 'peakRssMiB', ...memory },
  ];
}

function size(bytes: number): string {
  if (bytes % (1024 * MiB) === 0) return `${bytes / (1024 * MiB)} GiB`;
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
  return `${bytes / 1024} KiB`;
}
