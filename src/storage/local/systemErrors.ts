/** Translation of Node's system errors (errno codes) into the project's error kinds, at the backend's edge. */
import {
  FileError,
  alreadyExists,
  invalidName,
  isADirectory,
  noSpace,
  notADirectory,
  notEmpty,
  notFound,
  outsideRoot,
  permissionDenied,
} from '../../core/errors.js';

export function fromSystemError(err: unknown, virtualPath: string): FileError {
  if (err instanceof FileError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return notFound(virtualPath);
    case 'EEXIST':
      return alreadyExists(virtualPath);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return permissionDenied(virtualPath);
    case 'ENOTDIR':
      return notADirectory(virtualPath);
    case 'EISDIR':
      return isADirectory(virtualPath);
    case 'ENOTEMPTY':
      return notEmpty(virtualPath);
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return noSpace(virtualPath);
    case 'ELOOP':
      // Final-component symlinks are opened with O_NOFOLLOW: one swapped in after resolution lands here.
      return outsideRoot(virtualPath);
    case 'ENAMETOOLONG':
    case 'EINVAL':
      return invalidName(virtualPath);
    default:
      return new FileError('IO', `${virtualPath}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}
