/**
 * The one place where errors become HTTP responses, as ftp/errorReply.ts
 * is for FTP: FileError codes from the core and the storage, and the web
 * door's own HttpError kinds. Routes throw; nothing else picks a status for
 * a failure.
 */
import { FileError } from '../core/errors.js';
import { HttpError, type HttpErrorCode } from './HttpError.js';

export interface ErrorResponse {
  readonly status: number;
  /** The JSON body: a stable code for the page to switch on, and a human message. */
  readonly body: { readonly error: string; readonly message: string };
  readonly headers: Readonly<Record<string, string>>;
  /** An error we did not expect (a bug or an unknown backend failure): worth logging. */
  readonly unexpected: boolean;
}

const HTTP_STATUS: Record<HttpErrorCode, number> = {
  login_failed: 401,
  not_logged_in: 401,
  csrf: 403,
  banned: 429,
  rate_limited: 429,
  too_large: 413,
  bad_request: 400,
  not_found: 404,
  share_not_found: 404,
  share_locked: 401,
  method_not_allowed: 405,
  range_not_satisfiable: 416,
  conflict: 409,
  locked: 423,
  precondition_failed: 412,
  unsupported_media_type: 415,
  busy: 503,
};

export function responseForError(err: unknown): ErrorResponse {
  if (err instanceof HttpError) return plain(HTTP_STATUS[err.code], err.code, err.message, err.headers);
  if (!(err instanceof FileError)) return { ...plain(500, 'internal', 'Internal error'), unexpected: true };
  const text = err.message;
  switch (err.code) {
    case 'NOT_FOUND':
      return plain(404, 'not_found', text);
    case 'PERMISSION':
      return plain(403, 'permission', text);
    case 'OUTSIDE_ROOT':
      return plain(403, 'outside_root', text);
    case 'EXISTS':
      return plain(409, 'exists', text);
    case 'NOT_EMPTY':
      return plain(409, 'not_empty', text);
    case 'NOT_DIR':
      return plain(400, 'not_a_directory', text);
    case 'IS_DIR':
      return plain(400, 'is_a_directory', text);
    case 'INVALID_NAME':
      return plain(400, 'invalid_name', text);
    case 'BAD_ARGUMENT':
    case 'BAD_SEQUENCE':
    case 'BAD_OFFSET':
      return plain(400, 'bad_request', text);
    case 'NO_SPACE':
      return plain(507, 'no_space', text);
    case 'NOT_LOGGED_IN':
      return plain(401, 'not_logged_in', text);
    case 'NOT_SUPPORTED':
      return plain(501, 'not_supported', text);
    case 'FILE_CHANGED':
      return plain(409, 'file_changed', text);
    case 'UNAVAILABLE':
      return plain(503, 'storage_unavailable', text, { 'Retry-After': '5' });
    case 'DATA_CONNECTION':
    case 'IO':
      return { ...plain(500, 'internal', 'Internal error'), unexpected: true };
  }
}

function plain(status: number, error: string, message: string, headers: Readonly<Record<string, string>> = {}): ErrorResponse {
  return { status, body: { error, message }, headers, unexpected: false };
}
