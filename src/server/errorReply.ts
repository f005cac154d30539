/**
 * The one place where errors become FTP replies. Handlers and storage throw
 * FtpError kinds; nothing else formats a failure reply for a file system error.
 */
import { FtpError } from '../errors.js';
import { Reply } from '../protocol/replies.js';

export interface ErrorReply {
  readonly code: number;
  readonly text: string;
  /** An error we did not expect (a bug or an unknown backend failure): worth logging. */
  readonly unexpected: boolean;
}

export function replyForError(err: unknown): ErrorReply {
  if (!(err instanceof FtpError)) {
    return { code: Reply.LocalError, text: 'Requested action aborted: local error in processing', unexpected: true };
  }
  const text = err.message;
  switch (err.code) {
    case 'FTP_ERR_NOT_FOUND':
    case 'FTP_ERR_EXISTS':
    case 'FTP_ERR_PERMISSION':
    case 'FTP_ERR_OUTSIDE_ROOT':
    case 'FTP_ERR_NOT_DIR':
    case 'FTP_ERR_IS_DIR':
    case 'FTP_ERR_NOT_EMPTY':
      return { code: Reply.FileUnavailable, text, unexpected: false };
    case 'FTP_ERR_INVALID_NAME':
      return { code: Reply.FileNameNotAllowed, text, unexpected: false };
    case 'FTP_ERR_NO_SPACE':
      return { code: Reply.ExceededStorage, text, unexpected: false };
    case 'FTP_ERR_BAD_ARGUMENT':
      return { code: Reply.SyntaxErrorInArguments, text, unexpected: false };
    case 'FTP_ERR_BAD_SEQUENCE':
      return { code: Reply.BadSequence, text, unexpected: false };
    case 'FTP_ERR_NOT_LOGGED_IN':
      return { code: Reply.NotLoggedIn, text, unexpected: false };
    case 'FTP_ERR_NOT_SUPPORTED':
      return { code: Reply.NotImplemented, text, unexpected: false };
    case 'FTP_ERR_DATA_CONNECTION':
      return { code: Reply.CantOpenDataConnection, text, unexpected: false };
    case 'FTP_ERR_BAD_OFFSET':
      return { code: Reply.InvalidRestParameter, text, unexpected: false };
    case 'FTP_ERR_FILE_CHANGED':
    case 'FTP_ERR_UNAVAILABLE':
      return { code: Reply.LocalError, text, unexpected: false };
    case 'FTP_ERR_IO':
      return { code: Reply.LocalError, text: 'Requested action aborted: local error in processing', unexpected: true };
  }
}
