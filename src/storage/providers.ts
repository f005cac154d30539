/**
 * The storage provider the server is configured with: a home that starts
 * with "s3://" is a bucket and prefix (S3Storage), anything else a directory
 * on this machine (LocalStorage). The S3 code and its SDK are loaded only
 * when an S3 home is first opened, so a server on disk never pays for them.
 */
import type { Storage } from '../core/Storage.js';
import type { StorageProvider, SweepReport } from '../core/StorageProvider.js';
import { LocalStorage } from './LocalStorage.js';
import { isS3Location } from './s3/location.js';
import type { S3Settings } from './s3/settings.js';
import { removeTemporaries } from './temporaries.js';

type S3Module = typeof import('./s3/S3Provider.js');

export interface ProviderSettings {
  /** How s3:// homes are reached; their credentials come from the SDK's standard chain. */
  readonly s3: S3Settings;
  /** What periodic sweeps (after the first, which sweep() returns) removed, or why they failed. */
  readonly onSweep?: (report: SweepReport | { home: string; error: unknown }) => void;
}

class Provider implements StorageProvider {
  private s3: Promise<InstanceType<S3Module['S3Provider']>> | null = null;

  constructor(private readonly settings: ProviderSettings) {}

  async open(home: string): Promise<Storage> {
    if (isS3Location(home)) return (await this.s3Provider()).open(home);
    return LocalStorage.open(home);
  }

  async sweep(homes: readonly string[]): Promise<SweepReport[]> {
    const unique = [...new Set(homes)];
    const buckets = unique.filter(isS3Location);
    const reports = buckets.length > 0 ? await (await this.s3Provider()).sweep(buckets) : [];
    return [...(await sweepTemporaries(unique.filter((h) => !isS3Location(h)))), ...reports];
  }

  async close(): Promise<void> {
    await (await this.s3)?.close();
  }

  private s3Provider(): Promise<InstanceType<S3Module['S3Provider']>> {
    this.s3 ??= import('./s3/S3Provider.js').then(({ S3Provider }) => new S3Provider(this.settings.s3, this.settings.onSweep));
    return this.s3;
  }
}

/** Upload temporaries older than this process are a crash's leftovers; younger ones may be another server's. */
async function sweepTemporaries(dirs: readonly string[]): Promise<SweepReport[]> {
  const started = Date.now();
  const reports: SweepReport[] = [];
  for (const home of dirs) {
    const { removed, complete } = await removeTemporaries(home, undefined, started);
    if (removed > 0 || !complete) reports.push({ home, removed, complete });
  }
  return reports;
}

/** One provider for every account: each home goes to the backend its form names. */
export function createStorageProvider(settings: ProviderSettings): StorageProvider {
  return new Provider(settings);
}
