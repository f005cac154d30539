/**
 * What the run on an S3 bucket measures (npm run bench -- --s3): smaller
 * sizes than the run on a local tree, since every byte crosses RGW into an
 * in-memory OSD, and the same repetitions as that run's full and quick modes
 * (so --repetitions N works here too).
 */
import type { BenchPlan } from '../BenchPlan.js';
import { MiB } from '../paths.js';

/** The run on a local tree's figures that mean the same here, and what only this run has. */
type Shared =
  | 'sockftpCli'
  | 'bigBytes'
  | 'bigRepetitions'
  | 'smallFiles'
  | 'smallFileBytes'
  | 'smallRepetitions'
  | 'listEntries'
  | 'listRepetitions'
  | 'clientFileBytes'
  | 'clientRepetitions';

export interface S3Plan extends Pick<BenchPlan, Shared> {
  readonly mode: 's3-full' | 's3-quick';
  /** One client count: 50 clients at once. */
  readonly clientCount: number;
  /** The upload during which sockftp's memory is watched: it must not grow with the file. */
  readonly hugeBytes: number;
  readonly hugeRepetitions: number;
}

export function s3Plan(plan: BenchPlan): S3Plan {
  return {
    mode: `s3-${plan.mode}`,
    sockftpCli: plan.sockftpCli,
    bigBytes: 256 * MiB,
    bigRepetitions: plan.bigRepetitions,
    smallFiles: 500,
    smallFileBytes: 4096,
    smallRepetitions: plan.smallRepetitions,
    listEntries: 5000,
    listRepetitions: plan.listRepetitions,
    clientCount: 50,
    clientFileBytes: 10 * MiB,
    clientRepetitions: plan.clientRepetitions,
    hugeBytes: 1024 * MiB,
    hugeRepetitions: plan.smallRepetitions,
  };
}

/**
 * Every byte the run puts into the bucket, as if RGW's garbage collector
 * freed none of what is deleted (it frees within about a minute), and a
 * quarter more: memstore keeps all of it in memory, and a full store fails
 * uploads instead of measuring them.
 */
export function memstoreBytes(p: S3Plan, contenders: number): number {
  const fixtures = p.bigBytes + p.clientFileBytes + p.listEntries * 4096;
  const uploads =
    p.bigRepetitions * contenders * p.bigBytes + p.smallRepetitions * contenders * p.smallFiles * p.smallFileBytes + p.hugeRepetitions * p.hugeBytes;
  return Math.ceil((fixtures + uploads) * 1.25);
}
