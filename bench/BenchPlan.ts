/**
 * What a run measures, and how often: the full run, the quick one, and the
 * few flags that narrow them.
 *
 *   npm run bench [-- --quick] [--servers sockftp,vsftpd] [--repetitions N] [--sockftp dist/src/cli/main.js]
 *                 [--baseline /tmp/base/dist/src/cli/main.js]   a second build beside sockftp, in its own column
 *   npm run bench -- --s3 [--quick] [--repetitions N]   on an S3 bucket instead (onS3.ts, s3/S3Plan.ts)
 */
import * as path from 'node:path';
import { MiB, SOCKFTP_CLI } from './paths.js';

export const SERVER_NAMES = ['sockftp', 'sockftp-js', 'vsftpd', 'pure-ftpd', 'proftpd', 'pyftpdlib', 'ftp-srv'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

export interface BenchPlan {
  readonly mode: 'full' | 'quick';
  /** The run on an S3 bucket (onS3.ts) instead of the one on a local tree; its sizes are in s3/S3Plan.ts. */
  readonly s3: boolean;
  readonly servers: readonly ServerName[];
  /** The sockftp build to measure. */
  readonly sockftpCli: string;
  /**
   * Another sockftp build (an older commit's) measured beside it in the same
   * run, or null. Figures move 10-40% between runs, so two builds compare
   * only within one.
   */
  readonly baselineCli: string | null;
  readonly bigBytes: number;
  readonly bigRepetitions: number;
  readonly smallFiles: number;
  readonly smallFileBytes: number;
  readonly smallRepetitions: number;
  readonly listEntries: number;
  readonly listRepetitions: number;
  readonly clientCounts: readonly number[];
  readonly clientFileBytes: number;
  readonly clientRepetitions: number;
}

type Sizes = Omit<BenchPlan, 'mode' | 's3' | 'servers' | 'sockftpCli' | 'baselineCli'>;

const FULL: Sizes = {
  bigBytes: 1024 * MiB,
  bigRepetitions: 5,
  smallFiles: 2000,
  smallFileBytes: 4096,
  smallRepetitions: 3,
  listEntries: 10_000,
  listRepetitions: 5,
  clientCounts: [50, 200],
  clientFileBytes: 10 * MiB,
  clientRepetitions: 3,
};

/** Every test on every server, fewer times and with fewer small files: about 4 minutes. */
const QUICK: Sizes = {
  ...FULL,
  bigRepetitions: 2,
  smallFiles: 300,
  smallRepetitions: 1,
  listRepetitions: 2,
  clientRepetitions: 1,
};

const USAGE = `usage: npm run bench [-- --quick] [--s3] [--servers ${SERVER_NAMES.join(',')}] [--repetitions N] [--sockftp PATH/dist/src/cli/main.js] [--baseline PATH/dist/src/cli/main.js]`;

export class UsageError extends Error {}

export function parsePlan(args: readonly string[]): BenchPlan {
  let quick = false;
  let s3 = false;
  let servers: readonly ServerName[] = SERVER_NAMES;
  let repetitions: number | null = null;
  let sockftpCli = SOCKFTP_CLI;
  let baselineCli: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--quick') quick = true;
    else if (flag === '--s3') s3 = true;
    else if (flag === '--servers') servers = parseServers(value());
    else if (flag === '--repetitions') repetitions = parseRepetitions(value());
    else if (flag === '--sockftp') sockftpCli = path.resolve(value());
    else if (flag === '--baseline') baselineCli = path.resolve(value());
    else throw new UsageError(`unknown argument ${flag}\n${USAGE}`);
  }
  // The run on S3 has its own contenders (onS3.ts) and no column for a second build.
  if (s3 && baselineCli !== null) throw new UsageError(`--baseline is not supported with --s3\n${USAGE}`);
  const sizes = quick ? QUICK : FULL;
  const times = (n: number) => repetitions ?? n;
  return {
    ...sizes,
    mode: quick ? 'quick' : 'full',
    s3,
    servers,
    sockftpCli,
    baselineCli,
    bigRepetitions: times(sizes.bigRepetitions),
    smallRepetitions: times(sizes.smallRepetitions),
    listRepetitions: times(sizes.listRepetitions),
    clientRepetitions: times(sizes.clientRepetitions),
  };
}

function parseServers(text: string): ServerName[] {
  const names = text.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(SERVER_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new UsageError(`unknown server ${unknown.join(', ')}: choose from ${SERVER_NAMES.join(', ')}`);
  // sockftp is what every ratio is about.
  if (!names.includes('sockftp')) names.unshift('sockftp');
  return SERVER_NAMES.filter((n) => names.includes(n));
}

function parseRepetitions(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new UsageError(`--repetitions must be a whole number from 1 to 100, not "${text}"`);
  return n;
}
