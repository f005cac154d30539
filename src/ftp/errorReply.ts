/**
 * The one place where errors become FTP replies. Handlers and storage throw
 * FileError kinds; nothing else formats a failure reply for a file system error.
 */
import { FileError } from '../core/errors.js';
import { Reply } from './protocol/replies.js';

export interface ErrorReply {
  readonly code: number;
  readonly text: string;
  /** An error we did not expect (a bug or an unknown backend failure): worth logging. */
  readonly unexpected: boolean;
}

export function replyForError(err: unknown): ErrorReply {
  if (!(err instanceof FileError)) {
    return { code: Reply.LocalError, text: 'Requested action aborted: local error in processing', unexpected: true };
  }
  const text = err.message;
  switch (err.code) {
    case 'NOT_FOUND':
    case 'EXISTS':
    case 'PERMISSION':
    case 'OUTSIDE_ROOT':
    case 'NOT_DIR':
    case 'IS_DIR':
    case 'NOT_EMPTY':
      return { code: Reply.FileUnavailable, text, unexpected: false };
    case 'INVALID_NAME':
      return { code: Reply.FileNameNotAllowed, text, unexpected: false };
    case 'NO_SPACE':
      return { code: Reply.ExceededStorage, text, unexpected: false };
    case 'BAD_ARGUMENT':
      return { code: Reply.SyntaxErrorInArguments, text, unexpected: false };
    case 'BAD_SEQUENCE':
      return { code: Reply.BadSequence, text, unexpected: false };
    case 'NOT_LOGGED_IN':
      return { code: Reply.NotLoggedIn, text, unexpected: false };
    case 'NOT_SUPPORTED':
      return { code: Reply.NotImplemented, text, unexpected: false };
    case 'DATA_CONNECTION':
      return { code: Reply.CantOpenDataConnection, text, unexpected: false };
    case 'BAD_OFFSET':
      return { code: Reply.InvalidRestParameter, text: `Requested action not taken: invalid REST parameter (${text})`, unexpected: false };
    case 'FILE_CHANGED':
    case 'UNAVAILABLE':
      return { code: Reply.LocalError, text, unexpected: false };
    case 'IO':
      return { code: Reply.LocalError, text: 'Requested action aborted: local error in processing', unexpected: true };
  }
}
