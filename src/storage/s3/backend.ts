/**
 * The S3 backend's row in storage/backends.ts: its locations
 * ("s3://bucket/prefix"), its flags, and its loading. Only the pure location
 * and settings code is loaded with this row; the SDK comes with S3Provider,
 * at the first s3:// home.
 */
import type { Backend } from '../backends.js';
import { isS3Location, parseS3Location } from './location.js';
import { S3_DEFAULTS, s3Settings, type S3Settings } from './settings.js';

const MiB = 1024 * 1024;

export const s3Backend: Backend<S3Settings> = {
  name: 's3',
  matches: isS3Location,
  problem(location) {
    try {
      parseS3Location(location);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  },
  flags: [
    { flag: '--s3-endpoint <url>', description: 'S3 API address for s3:// roots and homes (Ceph RGW, MinIO...); default AWS' },
    { flag: '--s3-region <region>', description: 'S3 region (default: AWS_REGION, else us-east-1)' },
    { flag: '--s3-path-style', description: 'bucket in the URL path, not the host name (RGW, MinIO)' },
    { flag: '--s3-part-size <MiB>', description: 'part size of multipart uploads (at least 5)', default: String(S3_DEFAULTS.partBytes / MiB) },
    { flag: '--s3-upload-concurrency <n>', description: 'parts of one upload sent at once', default: String(S3_DEFAULTS.queueSize) },
    {
      flag: '--s3-upload-expiry <duration>',
      description: "multipart uploads older than this (90s, 30m, 24h; a bare number is hours) are a crash's and aborted",
      default: `${S3_DEFAULTS.uploadSweepAgeMs / 3_600_000}h`,
    },
    { flag: '--s3-max-rename-keys <n>', description: 'most keys one directory rename may copy', default: String(S3_DEFAULTS.maxRenameKeys) },
  ],
  /** How s3:// roots and homes are reached; credentials are not among these (the SDK's chain finds them). */
  settings(read) {
    const endpoint = read.text('--s3-endpoint');
    if (endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(endpoint)) read.refuse('--s3-endpoint', `must be an http:// or https:// URL, not "${endpoint}"`);
    return s3Settings({
      endpoint: endpoint ?? null,
      region: read.text('--s3-region') ?? process.env.AWS_REGION ?? S3_DEFAULTS.region,
      forcePathStyle: read.switch('--s3-path-style'),
      partBytes: read.integer('--s3-part-size', 5, 5 * 1024) * MiB,
      queueSize: read.integer('--s3-upload-concurrency', 1, 64),
      uploadSweepAgeMs: read.duration('--s3-upload-expiry', 'h', 1_000, 365 * 86_400_000),
      maxRenameKeys: read.integer('--s3-max-rename-keys', 1, 10_000_000),
    });
  },
  async load(settings, onSweep) {
    const { S3Provider } = await import('./S3Provider.js');
    return new S3Provider(settings, onSweep);
  },
};
