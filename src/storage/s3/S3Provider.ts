/**
 * The S3 half of the storage provider (storage/providers.ts): one S3Client
 * for every s3:// home, made at the first one, an S3Storage per home, and a
 * sweeper per bucket and prefix that aborts multipart uploads a crash left,
 * at start and then periodically, until close().
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Storage } from '../../core/Storage.js';
import type { SweepReport } from '../../core/StorageProvider.js';
import { createS3Client } from './client.js';
import { parseS3Location, type S3Location } from './location.js';
import { S3Storage } from './S3Storage.js';
import type { S3Settings } from './settings.js';
import { startUploadSweeper, type SweepOutcome } from './sweep.js';

export class S3Provider {
  private client: S3Client | null = null;
  private readonly sweepers = new Map<string, () => Promise<void>>();

  constructor(
    private readonly settings: S3Settings,
    /** Where sweeps after the first report what they removed or why they failed. */
    private readonly onSweep: (report: SweepReport | { home: string; error: unknown }) => void = () => undefined,
  ) {}

  async open(home: string): Promise<Storage> {
    return new S3Storage(this.s3(), parseS3Location(home), this.settings);
  }

  /** Starts a sweeper for each home not swept yet; resolves with what their first sweeps removed. */
  async sweep(homes: readonly string[]): Promise<SweepReport[]> {
    const firsts: Array<Promise<SweepReport | null>> = [];
    for (const home of homes) {
      const location = parseS3Location(home);
      const key = `${location.bucket}/${location.prefix}`;
      if (this.sweepers.has(key)) continue;
      firsts.push(this.startSweeper(home, key, location));
    }
    return (await Promise.all(firsts)).filter((r): r is SweepReport => r !== null);
  }

  async close(): Promise<void> {
    await Promise.all([...this.sweepers.values()].map((stop) => stop()));
    this.sweepers.clear();
    this.client?.destroy();
    this.client = null;
  }

  private startSweeper(home: string, key: string, location: S3Location): Promise<SweepReport | null> {
    return new Promise((resolve, reject) => {
      let first = true;
      const report = (outcome: SweepOutcome) => {
        const wasFirst = first;
        first = false;
        if ('error' in outcome) {
          if (wasFirst) reject(outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error)));
          else this.onSweep({ home, error: outcome.error });
          return;
        }
        const summary = outcome.aborted > 0 ? { home, removed: outcome.aborted, complete: true } : null;
        if (wasFirst) resolve(summary);
        else if (summary) this.onSweep(summary);
      };
      this.sweepers.set(key, startUploadSweeper(this.s3(), location, this.settings, report));
    });
  }

  private s3(): S3Client {
    // The SDK warns that its releases after January 2027 need Node 22; ours is pinned to one that runs on 20.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client ??= createS3Client(this.settings);
    return this.client;
  }
}
