/**
 * Maps an account's home to the Storage it sees as "/". A home is a location
 * the provider understands: a directory on this machine ("/srv/files") or a
 * bucket and prefix ("s3://bucket/prefix"). Front doors open storage only
 * through a provider, so a new backend is one more case here, not a change
 * to FTP or HTTP code.
 */
import type { Storage } from './Storage.js';

export interface StorageProvider {
  /** Opens the storage at `home`; fails (with an FileError) if it is not there or not usable. */
  open(home: string): Promise<Storage>;
  /**
   * Cleans up what a crash left behind under these homes (upload temporaries
   * on disk, multipart uploads in a bucket), now and, where the backend wants
   * it, periodically until close(). Returns one line of summary per home that
   * had something to clean.
   */
  sweep(homes: readonly string[]): Promise<SweepReport[]>;
  /** Stops periodic work and releases clients. */
  close(): Promise<void>;
}

export interface SweepReport {
  readonly home: string;
  /** Leftovers removed. */
  readonly removed: number;
  /** False when a bound stopped the sweep before the end. */
  readonly complete: boolean;
}
