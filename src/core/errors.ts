/**
 * The errors that cross layers, in the words of files and storage. Each has a
 * stable `code` that callers switch on; storage backends translate their own
 * failures (errno, S3 codes) into these at their edge, and each door maps them
 * in its one place (ftp/errorReply.ts to FTP replies, http/errorStatus.ts to
 * HTTP statuses).
 */
export type FileErrorCode =
  | 'NOT_FOUND'
  | 'EXISTS'
  | 'PERMISSION'
  | 'NOT_DIR'
  | 'IS_DIR'
  | 'NOT_EMPTY'
  | 'NO_SPACE'
  | 'OUTSIDE_ROOT'
  | 'INVALID_NAME'
  | 'BAD_ARGUMENT'
  | 'BAD_SEQUENCE'
  | 'NOT_LOGGED_IN'
  | 'NOT_SUPPORTED'
  | 'DATA_CONNECTION'
  | 'FILE_CHANGED'
  /** A starting offset (a resumed download or upload) past the end of the file it is used on. */
  | 'BAD_OFFSET'
  /** The storage cannot be reached or is overloaded (an object store down, throttling): worth trying again later. */
  | 'UNAVAILABLE'
  | 'IO';

export class FileError extends Error {
  constructor(
    readonly code: FileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FileError';
  }
}

export const notFound = (path: string) => new FileError('NOT_FOUND', `${path}: No such file or directory`);
export const alreadyExists = (path: string) => new FileError('EXISTS', `${path}: File exists`);
export const permissionDenied = (path: string) => new FileError('PERMISSION', `${path}: Permission denied`);
export const notADirectory = (path: string) => new FileError('NOT_DIR', `${path}: Not a directory`);
export const isADirectory = (path: string) => new FileError('IS_DIR', `${path}: Is a directory`);
export const notEmpty = (path: string) => new FileError('NOT_EMPTY', `${path}: Directory not empty`);
export const noSpace = (path: string) => new FileError('NO_SPACE', `${path}: No space left on device`);
export const outsideRoot = (path: string) => new FileError('OUTSIDE_ROOT', `${path}: Permission denied`);
export const invalidName = (path: string) => new FileError('INVALID_NAME', `${path}: File name not allowed`);
export const badArgument = (why: string) => new FileError('BAD_ARGUMENT', why);
export const badSequence = (why: string) => new FileError('BAD_SEQUENCE', why);
export const notSupported = (why: string) => new FileError('NOT_SUPPORTED', why);
export const dataConnectionFailed = (why: string) => new FileError('DATA_CONNECTION', why);
export const storageUnavailable = (why: string, cause?: unknown) => new FileError('UNAVAILABLE', why, { cause });
export const offsetPastEnd = (path: string, offset: number, size: number | null) =>
  new FileError('BAD_OFFSET', `${offset} is past the end of ${path}, ${size === null ? 'which does not exist' : `${size} bytes`}`);
export const fileChanged = (path: string) => new FileError('FILE_CHANGED', `${path}: file changed during the transfer`);

export function isFileError(err: unknown, code?: FileErrorCode): err is FileError {
  return err instanceof FileError && (code === undefined || err.code === code);
}
