/**
 * How an S3Storage talks to its object store. Credentials are not here on
 * purpose: they come only from the SDK's default provider chain (environment,
 * AWS_PROFILE, shared files), so they are never in a configuration file, an
 * argument list or a log line.
 */
export interface S3Settings {
  /** Where the S3 API is, for S3-compatible stores (Ceph RGW, MinIO); null for AWS itself. */
  readonly endpoint: string | null;
  readonly region: string;
  /** Bucket in the path (http://host/bucket/key) rather than the host name: RGW and most local stores need it. */
  readonly forcePathStyle: boolean;
  /** The size of one part of a multipart upload; S3 refuses parts under 5 MiB (but the last). */
  readonly partBytes: number;
  /** Parts uploaded at once: an upload holds at most about partBytes × (queueSize + 1) in memory. */
  readonly queueSize: number;
  /** Multipart uploads initiated longer ago than this are taken as left by a crash and aborted. */
  readonly uploadSweepAgeMs: number;
  readonly sweepIntervalMs: number;
  /** A directory rename copies every key under it, one request each: more keys than this are refused. */
  readonly maxRenameKeys: number;
}

export const MIN_PART_BYTES = 5 * 1024 * 1024;

export const S3_DEFAULTS: S3Settings = {
  endpoint: null,
  region: 'us-east-1',
  forcePathStyle: false,
  partBytes: 8 * 1024 * 1024,
  queueSize: 4,
  uploadSweepAgeMs: 24 * 60 * 60 * 1000,
  sweepIntervalMs: 60 * 60 * 1000,
  maxRenameKeys: 10_000,
};

/** The defaults with `overrides` on top, checked: a part under S3's minimum would fail every large upload at its end. */
export function s3Settings(overrides: Partial<S3Settings> = {}): S3Settings {
  const settings = { ...S3_DEFAULTS, ...overrides };
  if (!Number.isInteger(settings.partBytes) || settings.partBytes < MIN_PART_BYTES) {
    throw new Error(`S3 part size must be a whole number of bytes, at least ${MIN_PART_BYTES} (5 MiB)`);
  }
  if (!Number.isInteger(settings.queueSize) || settings.queueSize < 1) throw new Error('S3 queue size must be at least 1');
  if (!Number.isInteger(settings.maxRenameKeys) || settings.maxRenameKeys < 1) throw new Error('S3 rename bound must be at least 1');
  return settings;
}
