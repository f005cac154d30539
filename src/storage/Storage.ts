/**
 * The storage interface the server works against. Paths are virtual,
 * absolute and already normalised by protocol/virtualPath.ts ("/", "/a/b");
 * a backend maps them under its own root and refuses anything that would
 * leave it. Backends throw only the FtpError kinds of src/errors.ts.
 */
import type { Readable, Writable } from 'node:stream';

export type FileType = 'file' | 'dir' | 'link' | 'other';

/** A file being read; `size` is its size when opened, where the backend knows it without asking again. */
export type FileStream = Readable & { readonly size?: number };

export interface FileInfo {
  readonly name: string;
  readonly type: FileType;
  readonly size: number;
  readonly mtime: Date;
  /** Unix permission bits (0o777 and friends). */
  readonly mode: number;
  /** Stable identity for MLSx "unique" (RFC 3659 7.5.2), when the backend has one. */
  readonly id?: string;
}

/** What a backend can do; the server asks rather than assumes (an object store can't append). */
export interface StorageCapabilities {
  /** Uploads become visible only when complete. */
  readonly atomicUpload: boolean;
  /** Reads from an offset and writes at an offset or appended (REST, APPE). */
  readonly resume: boolean;
  readonly setModifiedTime: boolean;
  readonly chmod: boolean;
}

/**
 * How an upload meets an existing file: `replace` it when complete, `create`
 * only if the name is still free when complete (STOU), `append` to it, or
 * write `at` an offset, keeping what comes before (REST + STOR).
 */
export type WriteMode =
  | { readonly kind: 'replace' }
  | { readonly kind: 'create' }
  | { readonly kind: 'append' }
  | { readonly kind: 'at'; readonly offset: number };

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
   * an interrupted transfer, and removed otherwise (a full disk, a server fault).
   */
  abort(keepWritten: boolean): Promise<void>;
}

export interface Storage {
  readonly capabilities: StorageCapabilities;
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
  setModifiedTime?(path: string, time: Date): Promise<void>;
  chmod?(path: string, mode: number): Promise<void>;
}

/** Upload temporaries are hidden files beside their target; listings never show them. */
const TEMP_NAME_PATTERN = /^\.sockftp-[0-9a-f]{16}\.tmp$/;

export function isTempName(name: string): boolean {
  return TEMP_NAME_PATTERN.test(name);
}
