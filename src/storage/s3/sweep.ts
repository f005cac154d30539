/**
 * Multipart uploads left behind: a server that crashed mid-upload, or an
 * abort that failed because the store was down at the time. They are
 * invisible, but the store keeps (and bills) their parts until aborted.
 */
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Location } from './location.js';
import { s3Call } from './s3Errors.js';
import type { S3Settings } from './settings.js';

/**
 * Aborts the uploads under the location's prefix initiated more than
 * `olderThanMs` ago, and says how many. The age is what tells a leftover from
 * an upload still running (this server's or another's on the same bucket), so
 * it must be longer than any upload takes.
 */
export async function abortStaleUploads(client: S3Client, location: S3Location, olderThanMs: number): Promise<number> {
  const { bucket, prefix } = location;
  const cutoff = Date.now() - olderThanMs;
  let aborted = 0;
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  do {
    const page = await s3Call(
      `s3://${bucket}/${prefix}`,
      client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, UploadIdMarker })),
    );
    for (const upload of page.Uploads ?? []) {
      if (!upload.Key || !upload.UploadId || (upload.Initiated?.getTime() ?? cutoff) > cutoff) continue;
      await s3Call(upload.Key, client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId })));
      aborted++;
    }
    [KeyMarker, UploadIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [undefined, undefined];
  } while (KeyMarker);
  return aborted;
}

export type SweepOutcome = { readonly aborted: number } | { readonly error: unknown };

/**
 * Sweeps now and then every sweepIntervalMs, one sweep at a time, on a timer
 * that does not keep the process alive. Each outcome goes to `report` (for
 * the log). The returned function stops it, and resolves once a sweep under
 * way has finished.
 */
export function startUploadSweeper(
  client: S3Client,
  location: S3Location,
  settings: Pick<S3Settings, 'uploadSweepAgeMs' | 'sweepIntervalMs'>,
  report: (outcome: SweepOutcome) => void = () => undefined,
): () => Promise<void> {
  let running: Promise<void> | null = null;
  const sweep = () => {
    running ??= abortStaleUploads(client, location, settings.uploadSweepAgeMs)
      .then(
        (aborted) => report({ aborted }),
        (error: unknown) => report({ error }),
      )
      .finally(() => {
        running = null;
      });
  };
  sweep();
  const timer = setInterval(sweep, settings.sweepIntervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
