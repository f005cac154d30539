/**
 * Copying an object inside the store, without its bytes passing through us:
 * CopyObject up to 5 GiB (S3's limit for one copy), a multipart upload of
 * UploadPartCopy ranges above.
 *
 * The copy is asked of the version whose ETag we listed (CopySourceIfMatch:
 * a source replaced meanwhile fails with FILE_CHANGED), but RGW 16
 * ignores that condition, so nothing here relies on it: CopyObject carries
 * metadata and tags with the bytes in one request, and a multipart copy,
 * whose metadata is set before its parts are copied, carries no digest.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { withoutDigest } from './digests.js';
import { copySource } from './keys.js';
import { forEachLimited } from './pool.js';
import { fromS3Error, s3Call } from './s3Errors.js';

/** The most one CopyObject or UploadPartCopy may copy. */
export const MAX_COPY_BYTES = 5 * 1024 ** 3;
/** Part copies at once: each is a long request on the store's side, not on ours. */
const PART_COPIES_AT_ONCE = 4;

export interface ObjectRef {
  readonly key: string;
  /** As S3 sent it, quotes and all. */
  readonly etag: string;
  readonly size: number;
}

/** A byte range, end exclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * [0, size) in as few ranges of at most `maxBytes` as can be, all of about
 * the same size: each then stays well above S3's 5 MiB minimum for a part
 * that is not the last, even when more parts follow (an in-place write).
 */
export function copyRanges(size: number, maxBytes: number = MAX_COPY_BYTES): ByteRange[] {
  const count = Math.max(1, Math.ceil(size / maxBytes));
  const step = Math.ceil(size / count);
  return Array.from({ length: count }, (_, i) => ({ start: i * step, end: Math.min(size, (i + 1) * step) }));
}

export const rangeHeader = (range: ByteRange) => `bytes=${range.start}-${range.end - 1}`;

/** Copies `from` to `toKey` in `bucket`: its metadata, and (up to 5 GiB) its tags. */
export async function copyObject(client: S3Client, bucket: string, from: ObjectRef, toKey: string, path: string, maxCopyBytes = MAX_COPY_BYTES): Promise<void> {
  const source = { CopySource: copySource(bucket, from.key), CopySourceIfMatch: from.etag };
  if (from.size <= maxCopyBytes) {
    await s3Call(path, client.send(new CopyObjectCommand({ Bucket: bucket, Key: toKey, ...source })));
    return;
  }
  const head = await s3Call(path, client.send(new HeadObjectCommand({ Bucket: bucket, Key: from.key, IfMatch: from.etag })));
  const { UploadId } = await s3Call(
    path,
    client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: toKey,
        Metadata: withoutDigest(head.Metadata),
        ...(head.ContentType !== undefined && { ContentType: head.ContentType }),
      }),
    ),
  );
  const upload = { Bucket: bucket, Key: toKey, UploadId };
  try {
    const ranges = copyRanges(from.size, maxCopyBytes);
    const parts: { PartNumber: number; ETag: string | undefined }[] = [];
    await forEachLimited(
      ranges.map((range, i) => ({ range, PartNumber: i + 1 })),
      PART_COPIES_AT_ONCE,
      async ({ range, PartNumber }) => {
        const out = await client.send(new UploadPartCopyCommand({ ...upload, ...source, PartNumber, CopySourceRange: rangeHeader(range) }));
        parts.push({ PartNumber, ETag: out.CopyPartResult?.ETag });
      },
    );
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await client.send(new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: parts } }));
  } catch (err) {
    // An abort that fails too (the store is down) leaves an invisible upload for the sweeper.
    await client.send(new AbortMultipartUploadCommand(upload)).catch(() => undefined);
    throw fromS3Error(err, path);
  }
}
