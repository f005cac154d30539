/** S3 requests whose "not there" is an answer rather than a failure. */
import { HeadObjectCommand, ListObjectsV2Command, type HeadObjectCommandOutput, type S3Client, type _Object } from '@aws-sdk/client-s3';
import { isFileError } from '../../core/errors.js';
import { s3Call } from './s3Errors.js';

/** The object's head, or null when there is no object of that key. */
export async function headObject(client: S3Client, bucket: string, key: string, path: string): Promise<HeadObjectCommandOutput | null> {
  try {
    return await s3Call(path, client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
  } catch (err) {
    if (isFileError(err, 'NOT_FOUND')) return null;
    throw err;
  }
}

/** The first `count` keys under `prefix`, in key order (a directory's marker, if it has one, comes first). */
export async function firstKeys(client: S3Client, bucket: string, prefix: string, count: number, path: string): Promise<_Object[]> {
  const page = await s3Call(path, client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: count })));
  return page.Contents ?? [];
}

/** Every page of a listing under `prefix`: by directory level with a '/' delimiter, every key below without. */
export async function* listPages(client: S3Client, bucket: string, prefix: string, delimiter: '/' | undefined, path: string) {
  let ContinuationToken: string | undefined;
  do {
    const page = await s3Call(path, client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken })));
    yield page;
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
}
