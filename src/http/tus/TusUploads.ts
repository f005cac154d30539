/**
 * Resumable uploads (tus 1.0.0 core, creation, termination) over the
 * StagingArea: bytes go to the upload's part file as they come, a dropped
 * connection keeps what arrived (HEAD says how much, the client goes on from
 * there, after a page reload too), and the last byte writes the whole file
 * through FileOperations' upload (replace): atomically, with the account's
 * permissions, to whatever backend its home is on.
 */
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Account } from '../../auth/Account.js';
import type { FileOperations } from '../../core/FileOperations.js';
import { parentOf, resolveVirtualPath, splitPath } from '../../core/virtualPath.js';
import { isADirectory, isFileError, permissionDenied } from '../../core/errors.js';
import { HttpError, badRequest } from '../HttpError.js';
import { ownerKey } from '../owner.js';
import type { StagedUpload, StagingArea } from './StagingArea.js';

const unknownUpload = () => new HttpError('not_found', 'No such upload');

export class TusUploads {
  /** Uploads a request is writing or committing right now: a second one waits (423, which tus clients retry). */
  private readonly busy = new Set<string>();

  constructor(
    readonly staging: StagingArea,
    readonly maxBytes: number,
  ) {}

  /** A new upload of `length` bytes to metadata's dir + filename; an empty file is complete at once. */
  async create(files: FileOperations, length: number, metadata: Record<string, string>): Promise<StagedUpload> {
    if (length > this.maxBytes) throw new HttpError('too_large', `Uploads are limited to ${this.maxBytes} bytes`);
    const filename = metadata.filename ?? '';
    if (filename === '' || filename.endsWith('/')) throw badRequest('Upload-Metadata needs a filename');
    const dir = files.resolve(metadata.dir ?? '/');
    const target = resolveVirtualPath(dir, filename.replace(/^[/\\]+/, ''));
    if (target === '/') throw badRequest('Upload-Metadata needs a filename');
    if (!files.can('write')) throw permissionDenied(target);
    // One stat, not an existence check and then a stat: on S3 each is a request or two.
    if ((await files.lookup(target))?.type === 'dir') throw isADirectory(target);
    const staged = await this.staging.create({ owner: ownerKey(files.account), target, length, metadata });
    if (length === 0) await this.finish(files, staged);
    return staged;
  }

  async find(account: Account, id: string): Promise<{ upload: StagedUpload; offset: number }> {
    const upload = await this.staging.get(id, ownerKey(account));
    if (!upload) throw unknownUpload();
    return { upload, offset: await this.staging.offset(id).catch(() => upload.length) };
  }

  /**
   * PATCH: `body` from `offset` on, which must be what we have; resolves with
   * the new offset (the file written once it is all there). `found` learns
   * the upload as soon as it is looked up (its target names the transfer).
   */
  async append(files: FileOperations, id: string, offset: number, body: AsyncIterable<Buffer>, found?: (upload: StagedUpload) => void): Promise<number> {
    const { upload, offset: have } = await this.find(files.account, id);
    found?.(upload);
    if (this.busy.has(id)) throw new HttpError('locked', 'This upload is being written by another request');
    this.busy.add(id);
    try {
      if (offset !== have) throw new HttpError('conflict', `Upload-Offset is ${offset}, but ${have} bytes are here`);
      await this.staging.touch(id);
      if (have < upload.length) {
        try {
          await pipeline(body, limitTo(upload.length - have), fs.createWriteStream(this.staging.partPath(id), { flags: 'a' }));
        } catch (err) {
          // A dropped connection keeps what arrived: the client asks (HEAD) and resumes from there.
          if (!(err instanceof HttpError)) return await this.staging.offset(id);
          throw err;
        }
      }
      const now = await this.staging.offset(id);
      if (now === upload.length) await this.finish(files, upload);
      return now;
    } finally {
      this.busy.delete(id);
    }
  }

  /** DELETE: the upload is given up and its bytes removed. */
  async terminate(account: Account, id: string): Promise<void> {
    await this.find(account, id);
    if (this.busy.has(id)) throw new HttpError('locked', 'This upload is being written by another request');
    await this.staging.remove(id);
  }

  /**
   * The complete file written to its target through FileOperations (missing
   * folders of a folder upload made first). If that fails (the store is
   * down), the staged bytes stay: a PATCH at the full offset tries again.
   */
  private async finish(files: FileOperations, staged: StagedUpload): Promise<void> {
    await makeParents(files, parentOf(staged.target));
    const { upload } = await files.openUpload(staged.target, { kind: 'replace' });
    try {
      await pipeline(fs.createReadStream(this.staging.partPath(staged.id)), upload.stream);
      await upload.commit();
    } catch (err) {
      await upload.abort(false).catch(() => undefined);
      throw err;
    }
    await this.staging.remove(staged.id);
  }
}

/** mkdir -p through FileOperations (its permission checks included). */
async function makeParents(files: FileOperations, dir: string): Promise<void> {
  let path = '';
  for (const part of splitPath(dir)) {
    path += `/${part}`;
    if (await files.exists(path)) continue;
    try {
      await files.mkdir(path);
    } catch (err) {
      // Another upload of the same folder made it first.
      if (!isFileError(err, 'EXISTS')) throw err;
    }
  }
}

/** Refuses a body longer than the upload has left (the client's bug, or a guess at our limits). */
function limitTo(bytes: number) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let left = bytes;
    for await (const chunk of source) {
      if (chunk.length > left) throw badRequest('The body goes past Upload-Length');
      left -= chunk.length;
      yield chunk;
    }
  };
}
