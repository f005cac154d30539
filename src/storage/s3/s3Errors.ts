/**
 * S3's failures as FileError kinds, at the backend's edge: the protocol
 * layers never see an S3 error code, an HTTP status or a socket error.
 */
import { FileError, fileChanged, isFileError, noSpace, notFound, permissionDenied, storageUnavailable } from '../../core/errors.js';

/** Socket-level failures: the store is down, restarting or unreachable, and may well be back soon. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** S3 codes that say "not now" rather than "never". */
const RETRY_LATER = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'TimeoutError',
  'ThrottlingException',
]);

interface S3Failure {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  errors?: unknown[];
}

export function fromS3Error(err: unknown, path: string): FileError {
  if (isFileError(err)) return err;
  const e = (err ?? {}) as S3Failure;
  const name = e.Code ?? e.name ?? '';
  const status = e.$metadata?.httpStatusCode ?? 0;
  const detail = e.message || name || String(err);
  if (name === 'NoSuchBucket') return storageUnavailable(`The S3 bucket does not exist (${detail})`, err);
  // A multipart upload aborted under us (by another process's sweep of left-over uploads): not a missing file.
  if (name === 'NoSuchUpload') return new FileError('IO', `${path}: the object store no longer has this upload (${detail})`, { cause: err });
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return notFound(path);
  if (name === 'AccessDenied' || status === 403) return withCause(permissionDenied(path), err);
  if (name === 'EntityTooLarge' || name === 'QuotaExceeded') return withCause(noSpace(path), err);
  // A precondition (If-Match on the ETag seen a moment before) failed: another writer replaced the object.
  if (name === 'PreconditionFailed' || status === 412) return withCause(fileChanged(path), err);
  if (RETRY_LATER.has(name) || status >= 500 || isNetworkFailure(err)) {
    return storageUnavailable(`The object store is unavailable: ${detail}`, err);
  }
  if (name === 'CredentialsProviderError') {
    return storageUnavailable('No S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE', err);
  }
  return new FileError('IO', `${path}: ${detail}`, { cause: err });
}

/** Node reports a refused connection to a name with several addresses as an AggregateError, so look inside. */
function isNetworkFailure(err: unknown): boolean {
  const e = err as S3Failure | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.message === 'socket hang up') return true;
  return (e.errors ?? []).some(isNetworkFailure) || isNetworkFailure((e as { cause?: unknown }).cause);
}

function withCause(error: FileError, cause: unknown): FileError {
  return new FileError(error.code, error.message, { cause });
}

/** The result of an S3 request, or its failure as an FileError about `path`. */
export async function s3Call<T>(path: string, request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (err) {
    throw fromS3Error(err, path);
  }
}
