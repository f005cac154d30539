/**
 * What every layer knows of a file: listings (FTP's LIST and MLSx, a web
 * page's table), storage backends and the file operations share this shape.
 */
export type FileType = 'file' | 'dir' | 'link' | 'other';

export interface FileInfo {
  readonly name: string;
  readonly type: FileType;
  readonly size: number;
  readonly mtime: Date;
  /** Unix permission bits (0o777 and friends), where the backend has them (a disk does, an object store does not). */
  readonly mode?: number;
  /** Stable identity for MLSx "unique" (RFC 3659 7.5.2), when the backend has one. */
  readonly id?: string;
}
