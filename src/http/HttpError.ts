/**
 * The web door's own refusals, which are not file system errors and so not
 * FileError kinds: a missing session, a wrong CSRF token, a ban, a body too
 * big. Thrown by routes and mapped to a status in errorStatus.ts, beside the
 * FileError codes.
 */
export type HttpErrorCode =
  | 'login_failed'
  | 'not_logged_in'
  | 'csrf'
  | 'banned'
  | 'rate_limited'
  | 'too_large'
  | 'bad_request'
  | 'not_found'
  | 'share_not_found'
  /** A share link with a password this browser has not given. */
  | 'share_locked'
  | 'method_not_allowed'
  | 'range_not_satisfiable'
  | 'conflict'
  /** An upload that another request is writing to (tus clients retry on it). */
  | 'locked'
  | 'precondition_failed'
  | 'unsupported_media_type'
  /** Over the connection limits every door shares (--max-clients, --max-per-ip). */
  | 'busy';

export class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    /** Headers the refusal carries (Allow, Retry-After, Content-Range, Tus-Resumable...). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (why: string) => new HttpError('bad_request', why);
export const notLoggedIn = () => new HttpError('not_logged_in', 'Not logged in');
export const shareNotFound = () => new HttpError('share_not_found', 'No such share link, or it has expired');
