/**
 * The errors that cross layers. Each has a stable `code` that callers switch
 * on; storage backends translate their own failures (errno, S3 codes) into
 * these at their edge, and server/errorReply.ts maps them to FTP replies.
 */
export type FtpErrorCode =
  | 'FTP_ERR_NOT_FOUND'
  | 'FTP_ERR_EXISTS'
  | 'FTP_ERR_PERMISSION'
  | 'FTP_ERR_NOT_DIR'
  | 'FTP_ERR_IS_DIR'
  | 'FTP_ERR_NOT_EMPTY'
  | 'FTP_ERR_NO_SPACE'
  | 'FTP_ERR_OUTSIDE_ROOT'
  | 'FTP_ERR_INVALID_NAME'
  | 'FTP_ERR_BAD_ARGUMENT'
  | 'FTP_ERR_BAD_SEQUENCE'
  | 'FTP_ERR_NOT_LOGGED_IN'
  | 'FTP_ERR_NOT_SUPPORTED'
  | 'FTP_ERR_DATA_CONNECTION'
  | 'FTP_ERR_FILE_CHANGED'
  /** A restart offset (FTP's REST) past the end of the file it is used on. */
  | 'FTP_ERR_BAD_OFFSET'
  /** The storage cannot be reached or is overloaded (an object store down, throttling): worth trying again later. */
  | 'FTP_ERR_UNAVAILABLE'
  | 'FTP_ERR_IO';

export class FtpError extends Error {
  constructor(
    readonly code: FtpErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FtpError';
  }
}

export const notFound = (path: string) => new FtpError('FTP_ERR_NOT_FOUND', `${path}: No such file or directory`);
export const alreadyExists = (path: string) => new FtpError('FTP_ERR_EXISTS', `${path}: File exists`);
export const permissionDenied = (path: string) => new FtpError('FTP_ERR_PERMISSION', `${path}: Permission denied`);
export const notADirectory = (path: string) => new FtpError('FTP_ERR_NOT_DIR', `${path}: Not a directory`);
export const isADirectory = (path: string) => new FtpError('FTP_ERR_IS_DIR', `${path}: Is a directory`);
export const notEmpty = (path: string) => new FtpError('FTP_ERR_NOT_EMPTY', `${path}: Directory not empty`);
export const noSpace = (path: string) => new FtpError('FTP_ERR_NO_SPACE', `${path}: No space left on device`);
export const outsideRoot = (path: string) => new FtpError('FTP_ERR_OUTSIDE_ROOT', `${path}: Permission denied`);
export const invalidName = (path: string) => new FtpError('FTP_ERR_INVALID_NAME', `${path}: File name not allowed`);
export const badArgument = (why: string) => new FtpError('FTP_ERR_BAD_ARGUMENT', why);
export const badSequence = (why: string) => new FtpError('FTP_ERR_BAD_SEQUENCE', why);
export const notSupported = (why: string) => new FtpError('FTP_ERR_NOT_SUPPORTED', why);
export const dataConnectionFailed = (why: string) => new FtpError('FTP_ERR_DATA_CONNECTION', why);
export const storageUnavailable = (why: string, cause?: unknown) => new FtpError('FTP_ERR_UNAVAILABLE', why, { cause });
export const offsetPastEnd = (path: string, offset: number, size: number | null) =>
  new FtpError(
    'FTP_ERR_BAD_OFFSET',
    `Requested action not taken: invalid REST parameter (${offset} is past the end of ${path}, ${size === null ? 'which does not exist' : `${size} bytes`})`,
  );
export const fileChanged = (path: string) => new FtpError('FTP_ERR_FILE_CHANGED', `${path}: file changed during the transfer`);

export function isFtpError(err: unknown, code?: FtpErrorCode): err is FtpError {
  return err instanceof FtpError && (code === undefined || err.code === code);
}
