/**
 * The storage interface every front door works against, through
 * core/FileOperations.ts. Paths are virtual, absolute and already normalised
 * by core/virtualPath.ts ("/", "/a/b"); a backend maps them under its own
 * root and refuses anything that would leave it. Backends throw only the
 * FileError kinds of src/errors.ts, translated at their own edge.
 *
 * Optional operations are optional methods, and nothing else: a backend that
 * cannot do one leaves it out, and core/capabilities.ts is the one place that
 * asks (FEAT lines, 502 replies, the fast send path). There is no separate
 * list of flags that could say something the methods do not.
 */
import type { Readable, Writable } from 'node:stream';
import type { HashAlgorithm } from './digests.js';
import type { FileInfo } from './FileInfo.js';

export type { FileInfo, FileType } from './FileInfo.js';

/** A file being read; `size` is its size when opened, where the backend knows it without asking again. */
export type FileStream = Readable & { readonly size?: number };

/**
 * A file read into buffers the caller owns, so a sender can reuse a few
 * buffers instead of allocating one per chunk (and leaving the garbage
 * collector behind at 200 transfers). The caller always calls close().
 */
export interface ChunkReader {
  /** The file's size when it was opened. */
  readonly size: number;
  /** Where the next readInto() starts. */
  readonly position: number;
  /**
   * Fills `buffer` from `position` and moves `position` past it at once, so
   * calls may overlap (each reads the range after the previous call's);
   * resolves with the bytes read, short only at the end, 0 past it.
   */
  readInto(buffer: Buffer): Promise<number>;
  close(): void;
  /** Only a file on local disk: its descriptor, for a sender that hands it to sendfile(2) instead of calling readInto(). */
  rawFile?(): RawFile | null;
}

/**
 * An open local file a zero-copy sender reads itself (src/ftp/zeroCopy.ts),
 * from `position` on; it never closes `fd` (the reader's close() does), and
 * names its failures with `fail` so they read as readInto()'s would.
 */
export interface RawFile {
  readonly fd: number;
  readonly position: number;
  readonly size: number;
  /** A system error from reading the file, or 'truncated' when it ended before `size`: the error readInto() would throw. */
  fail(err: NodeJS.ErrnoException | 'truncated'): Error;
}

/**
 * How an upload meets an existing file: `replace` it when complete, or
 * `create` it only if the name is still free when complete (STOU).
 */
export type WriteMode = 'replace' | 'create';

/**
 * An upload in progress. The caller writes into `stream` and then calls
 * exactly one of commit() (the data is complete: make it visible) or abort().
 */
export interface Upload {
  readonly stream: Writable;
  commit(): Promise<void>;
  /**
   * Gives the upload up. A replacement is never made visible. Data written in
   * place (append, REST) is kept when `keepWritten`, so the client can resume
   * an interrupted transfer, and removed otherwise (a full disk, a server
   * fault). A backend whose writes are all replacements ignores it.
   */
  abort(keepWritten: boolean): Promise<void>;
}

export interface Storage {
  /** The backend's name for logs and metrics: 'local', 's3', 'memory'. */
  readonly kind: string;
  stat(path: string): Promise<FileInfo>;
  /** The entries of a directory, a page at a time as they are read: never one giant array. */
  list(path: string): AsyncIterable<FileInfo[]>;
  /**
   * Resolves once the file is open, so "not found" (or "is a directory") is
   * known before any reply is sent. `chunkBytes` is a hint for the size of
   * the chunks read.
   */
  openRead(path: string, start?: number, chunkBytes?: number): Promise<FileStream>;
  openWrite(path: string, mode: WriteMode): Promise<Upload>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  delete(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;

  // Optional operations (see the note at the top).

  /**
   * Writes keeping what is there: from `offset` on (the file becomes its
   * first `offset` bytes and then the new data: REST + STOR), or at the end
   * ('end': APPE). A missing file is created.
   */
  openWriteAt?(path: string, offset: number | 'end'): Promise<Upload>;
  /** The fast read path: the same bytes as openRead, into the caller's buffers. */
  openReader?(path: string, start: number, chunkBytes: number): Promise<ChunkReader>;
  setModifiedTime?(path: string, time: Date): Promise<void>;
  chmod?(path: string, mode: number): Promise<void>;
  /** A digest of the whole file that the backend already holds (S3 object metadata), or null: then it is computed by reading. */
  knownDigest?(path: string, algorithm: HashAlgorithm): Promise<string | null>;
}
