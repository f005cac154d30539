/**
 * The rows of the run on an S3 bucket and its table: report/summarize.ts
 * twice, once against vsftpd on s3fs (the only FTP peer, so "best peer") and
 * once against the raw SDK, merged into one row each, and report/table.ts's
 * Markdown table with two ratio columns.
 */
import type { RowSpec } from '../report/rows.js';
import { S3_DEFAULTS } from '../../src/storage/s3/settings.js';
import { SOCKFTP, summarize, type Cell, type RunRecord, type Runs, type SummaryRow } from '../report/summarize.js';
import { markdownTable } from '../report/table.js';
import type { S3Plan } from './S3Plan.js';

export { SOCKFTP };
export const PEER = 'vsftpd+s3fs';
/** The raw SDK in this process: each test's ceiling, measured in turn with the servers. */
export const SDK = 'raw SDK';
const VS_SDK = 'sockftp vs raw SDK';
/** The memory test of its own: a 1 GiB STOR on sockftp alone. */
export const HUGE_STORE = 'stor-huge';

export interface S3Target {
  readonly text: string;
  /** sockftp's figure, and its ratios (above 1: sockftp does better) to vsftpd on s3fs and to the raw SDK. */
  met(value: number, vsPeer: number | null, vsSdk: number | null): boolean;
}

type S3RowSpec = Omit<RowSpec, 'target' | 'ceiling'> & { readonly s3Target?: S3Target };

const asGoodAsS3fs: S3Target = { text: '>= 1.0x s3fs', met: (_v, vsPeer) => vsPeer !== null && vsPeer >= 1 };
const nearTheSdk: S3Target = {
  text: '>= 1.0x s3fs, >= 0.8x SDK',
  met: (_v, vsPeer, vsSdk) => vsPeer !== null && vsPeer >= 1 && vsSdk !== null && vsSdk >= 0.8,
};

const BOUND_FACTOR = 1.25;

/** What sockftp's memory should do during the 1 GiB STOR. */
export interface UploadMemory {
  /** Idle RSS + part size x (concurrency + 1): the README's figure for one upload (a part filling, the others in flight). */
  readonly expectedMiB: number;
  readonly expectedText: string;
  /** Bounded: a 4 times larger file may not take more than a quarter more than the peak of the 256 MiB uploads. */
  readonly limitMiB: number | null;
}

export function uploadMemory(idleMiB: number, bigStores: readonly RunRecord[]): UploadMemory {
  const partMiB = S3_DEFAULTS.partBytes / 2 ** 20;
  const expectedMiB = idleMiB + partMiB * (S3_DEFAULTS.queueSize + 1);
  const peaks = bigStores.flatMap((r) => (typeof r.values['peakRssMiB'] === 'number' ? [r.values['peakRssMiB']] : []));
  return {
    expectedMiB,
    expectedText: `idle + ${partMiB} MiB x ${S3_DEFAULTS.queueSize + 1} = ${expectedMiB.toFixed(0)}`,
    limitMiB: peaks.length === 0 ? null : BOUND_FACTOR * Math.max(...peaks),
  };
}

export function s3Rows(p: S3Plan, memoryUse: UploadMemory): S3RowSpec[] {
  const big = size(p.bigBytes);
  const small = `${p.smallFiles} x ${size(p.smallFileBytes)}`;
  const clients = `${p.clientCount} clients x RETR ${size(p.clientFileBytes)}`;
  const throughput = { better: 'higher', digits: 0, combine: 'median' } as const;
  const seconds = { better: 'lower', digits: 3, combine: 'median' } as const;
  const memory = { better: 'lower', digits: 1, combine: 'max' } as const;
  const { limitMiB } = memoryUse;
  const bounded: S3Target = {
    text: limitMiB === null ? 'bounded' : `<= ${BOUND_FACTOR}x STOR ${big}'s peak: ${limitMiB.toFixed(0)} MiB`,
    met: (value) => limitMiB !== null && value <= limitMiB,
  };
  return [
    { label: `RETR ${big}, MiB/s`, test: 'retr-big', value: 'mibPerSecond', ...throughput, s3Target: nearTheSdk },
    { label: `STOR ${big}, MiB/s`, test: 'stor-big', value: 'mibPerSecond', ...throughput, s3Target: nearTheSdk },
    { label: `STOR ${small} on one session, files/s`, test: 'small-files', value: 'storeFilesPerSecond', ...throughput, s3Target: asGoodAsS3fs },
    { label: `RETR ${small} on one session, files/s`, test: 'small-files', value: 'retrieveFilesPerSecond', ...throughput, s3Target: asGoodAsS3fs },
    { label: `LIST of ${p.listEntries.toLocaleString('en-US')} keys, s`, test: 'listings', value: 'LISTSeconds', ...seconds, s3Target: asGoodAsS3fs },
    { label: `MLSD of ${p.listEntries.toLocaleString('en-US')} keys, s`, test: 'listings', value: 'MLSDSeconds', ...seconds },
    { label: `${clients}: aggregate MiB/s`, test: `clients-${p.clientCount}`, value: 'aggregateMibPerSecond', ...throughput, s3Target: asGoodAsS3fs },
    { label: `${clients}: latency p50, s`, test: `clients-${p.clientCount}`, value: 'latencyP50Seconds', ...seconds },
    { label: `${clients}: latency p99, s`, test: `clients-${p.clientCount}`, value: 'latencyP99Seconds', ...seconds, s3Target: asGoodAsS3fs },
    {
      label: `${clients}: failed clients (all runs)`,
      test: `clients-${p.clientCount}`,
      value: 'failedClients',
      better: null,
      digits: 0,
      combine: 'sum',
      s3Target: { text: '0', met: (value) => value === 0 },
    },
    { label: 'idle RSS after start, MiB', test: 'memory', value: 'idleRssMiB', ...memory },
    { label: `peak RSS during STOR ${big}, MiB`, test: 'stor-big', value: 'peakRssMiB', ...memory },
    { label: `STOR ${size(p.hugeBytes)} (sockftp only), MiB/s`, test: HUGE_STORE, value: 'mibPerSecond', ...throughput },
    {
      label: `peak RSS during STOR ${size(p.hugeBytes)} (expected ${memoryUse.expectedText}), MiB`,
      test: HUGE_STORE,
      value: 'peakRssMiB',
      ...memory,
      s3Target: bounded,
    },
  ];
}

export function s3Summary(specs: readonly S3RowSpec[], runs: Runs): SummaryRow[] {
  const vsPeer = summarize(specs, runs, [SOCKFTP, PEER]);
  const vsSdk = summarize(specs, runs, [SOCKFTP, SDK]);
  return specs.map((spec, i) => {
    const { label, cells, ratio } = vsPeer[i];
    const sdk = vsSdk[i];
    const ours = cells[SOCKFTP].value;
    const ratioCell: Cell = { value: sdk.ratio, text: sdk.ratio === null ? '' : `${sdk.ratio.toFixed(2)}x` };
    const target = spec.s3Target ? { text: spec.s3Target.text, met: ours !== null && spec.s3Target.met(ours, ratio, sdk.ratio) } : null;
    return { label, cells: { ...cells, [SDK]: sdk.cells[SDK], [VS_SDK]: ratioCell }, ratio, target };
  });
}

export function s3Table(rows: readonly SummaryRow[]): string {
  const table = markdownTable(rows, [SOCKFTP, PEER, SDK, VS_SDK]);
  // table.ts names its ratio column after the best of several peers; here there is one.
  const header = 'sockftp vs best peer';
  return table.replace(header, 'sockftp vs s3fs'.padStart(header.length));
}

function size(bytes: number): string {
  if (bytes % (1024 * 1024 * 1024) === 0) return `${bytes / (1024 * 1024 * 1024)} GiB`;
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  return `${bytes / 1024} KiB`;
}
