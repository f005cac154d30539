/**
 * The SHA-256 of an object as we uploaded it, kept with the object so HASH
 * need not read it back. Where it lives depends on when it is known:
 *
 * - a single PutObject: in the object's metadata (x-amz-meta-sockftp-sha256),
 *   written in the same request as the bytes, so it cannot disagree with them;
 * - a multipart upload: metadata is fixed when the upload is created, before
 *   the data, so the digest goes in object tags after completion, together
 *   with the ETag of the object it was computed for. That ETag is computed
 *   here from the parts' (RGW 16 answers CompleteMultipartUpload with an
 *   empty one, and asking with HeadObject could see a later upload's). A tag
 *   found on an object with another ETag (a later upload replaced ours
 *   between completion and tagging; a copy on a store that gives copies new
 *   ETags) is ignored.
 *
 * A copy inside the store carries metadata and tags with the bytes, in one
 * request, so what it carries is true of it. Anything else (another tool's
 * objects, an in-place write whose head was copied server-side) has no
 * digest, and the caller hashes a download instead. The names carry our own
 * prefix so another tool's "sha256" is never taken for ours.
 */
import { createHash } from 'node:crypto';
import { GetObjectTaggingCommand, PutObjectTaggingCommand, type S3Client } from '@aws-sdk/client-s3';
import { bareEtag } from './keys.js';
import { s3Call } from './s3Errors.js';

const DIGEST_NAME = 'sockftp-sha256';
const ETAG_TAG = 'sockftp-etag';
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What an object's HeadObject says of it, as far as its digest goes. */
export interface ObjectHead {
  readonly ETag?: string | undefined;
  readonly Metadata?: Record<string, string> | undefined;
}

export function digestMetadata(sha256: string): Record<string, string> {
  return { [DIGEST_NAME]: sha256 };
}

/** Metadata to give a new object made from `metadata`: without a digest of ours, which would be of other bytes. */
export function withoutDigest(metadata: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).filter(([name]) => name !== DIGEST_NAME));
}

/** The ETag S3 (and RGW) give a multipart object: the MD5 of its parts' MD5s, and the number of parts. */
export function multipartEtag(partEtags: readonly string[]): string {
  const md5 = createHash('md5');
  for (const etag of partEtags) md5.update(Buffer.from(bareEtag(etag), 'hex'));
  return `${md5.digest('hex')}-${partEtags.length}`;
}

export async function tagDigest(client: S3Client, bucket: string, key: string, etag: string, sha256: string): Promise<void> {
  const TagSet = [
    { Key: DIGEST_NAME, Value: sha256 },
    { Key: ETAG_TAG, Value: bareEtag(etag) },
  ];
  await client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet } }));
}

/** The SHA-256 held with the object whose head is `head`, or null when there is none we can vouch for. */
export async function heldDigest(client: S3Client, bucket: string, key: string, path: string, head: ObjectHead): Promise<string | null> {
  const inMetadata = head.Metadata?.[DIGEST_NAME];
  if (inMetadata !== undefined) return SHA256_HEX.test(inMetadata) ? inMetadata : null;
  // Only our multipart uploads are tagged, and a multipart ETag is "<md5>-<parts>": spare the request for the rest.
  const etag = bareEtag(head.ETag);
  if (!etag.includes('-')) return null;
  const { TagSet = [] } = await s3Call(path, client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key })));
  const tag = (name: string) => TagSet.find((t) => t.Key === name)?.Value;
  const digest = tag(DIGEST_NAME);
  return digest !== undefined && SHA256_HEX.test(digest) && tag(ETAG_TAG) === etag ? digest : null;
}
