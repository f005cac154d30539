/**
 * One file as an HTTP response: ETag and Last-Modified, one byte range (206,
 * or 416 with the size), If-Range, and the inline-or-attachment rule of
 * preview.ts. Bytes are read through FileOperations, from the range's start,
 * and the read stops at its end; a client that goes away stops the read.
 */
import { pipeline } from 'node:stream/promises';
import type { FileOperations } from '../core/FileOperations.js';
import { isADirectory } from '../core/errors.js';
import { HttpError } from './HttpError.js';
import { contentDisposition, presentationOf } from './preview.js';
import { entityTag, parseRange, rangeStillValid } from './ranges.js';
import type { RequestContext } from './context.js';
import { allowSameOriginFraming } from './securityHeaders.js';
import { baseName } from '../core/virtualPath.js';
import { WebTransfer } from './transfers.js';

/** `as`: who the transfer's logs name (a share link's visitor); the signed-in user by default. */
export async function sendFile(ctx: RequestContext, files: FileOperations, arg: string, as?: WebTransfer['as']): Promise<void> {
  const { req, res } = ctx;
  const { path, info } = await files.stat(arg);
  if (info.type === 'dir') throw isADirectory(path);
  const size = info.size;
  const etag = entityTag(size, info.mtime);
  const lastModified = info.mtime.toUTCString();
  const download = ctx.url.searchParams.get('download') === '1';
  const name = baseName(path);
  const how = presentationOf(name, download);
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag, 'Last-Modified': lastModified });
    res.end();
    return;
  }
  let range = parseRange(req.headers.range, size);
  const ifRange = req.headers['if-range'];
  if (range.kind !== 'whole' && !rangeStillValid(typeof ifRange === 'string' ? ifRange : undefined, etag, lastModified)) range = { kind: 'whole' };
  if (range.kind === 'unsatisfiable') throw new HttpError('range_not_satisfiable', `No such range of ${size} bytes`, { 'Content-Range': `bytes */${size}` });
  const start = range.kind === 'part' ? range.start : 0;
  const length = range.kind === 'part' ? range.end - range.start + 1 : size;
  if (how.inline) allowSameOriginFraming(res);
  const headers: Record<string, string | number> = {
    'Content-Type': how.contentType,
    'Content-Length': length,
    'Content-Disposition': contentDisposition(how.inline ? 'inline' : 'attachment', name),
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Last-Modified': lastModified,
    'Cache-Control': 'private, no-cache',
  };
  if (range.kind === 'part') headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
  const status = range.kind === 'part' ? 206 : 200;
  if (req.method === 'HEAD') {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const transfer = new WebTransfer(ctx, 'download', path, as);
  await transfer.run(async () => {
    if (length === 0) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    const { stream } = await files.openRead(path, start);
    res.writeHead(status, headers);
    await pipeline(stream, limitTo(length), transfer.count, res);
  });
}

/** Passes `length` bytes and ends (which stops the read behind it): a range's end, or a file that grew since its stat. */
function limitTo(length: number) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let left = length;
    for await (const chunk of source) {
      if (chunk.length >= left) {
        yield chunk.subarray(0, left);
        return;
      }
      left -= chunk.length;
      yield chunk;
    }
  };
}
