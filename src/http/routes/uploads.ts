/**
 * /api/uploads: the tus 1.0.0 protocol (creation, HEAD, PATCH, termination)
 * over TusUploads. Every answer names the version; each state change needs
 * the session's CSRF token like any other (HttpServer checks it).
 */
import { filesOf, sessionOf, type RequestContext } from '../context.js';
import { HttpError } from '../HttpError.js';
import { sendEmpty } from '../respond.js';
import { WebTransfer } from '../transfers.js';
import { OFFSET_CONTENT_TYPE, TUS_EXTENSIONS, TUS_VERSION, byteCount, checkVersion, parseMetadata } from '../tus/protocol.js';

const UPLOADS = '/api/uploads';

function tusHeaders(ctx: RequestContext): void {
  ctx.res.setHeader('Tus-Resumable', TUS_VERSION);
}

export function uploadOptions(ctx: RequestContext): void {
  tusHeaders(ctx);
  sendEmpty(ctx.res, 204, { 'Tus-Version': TUS_VERSION, 'Tus-Extension': TUS_EXTENSIONS, 'Tus-Max-Size': ctx.app.uploads.maxBytes });
}

export async function createUpload(ctx: RequestContext): Promise<void> {
  tusHeaders(ctx);
  checkVersion(ctx.req.headers['tus-resumable']);
  if (ctx.req.headers['upload-defer-length'] !== undefined) throw new HttpError('bad_request', 'Upload-Defer-Length is not supported');
  const length = byteCount(ctx.req.headers['upload-length'], 'Upload-Length');
  const metadata = parseMetadata(ctx.req.headers['upload-metadata'] as string | undefined);
  const staged = await ctx.app.uploads.create(filesOf(ctx), length, metadata);
  sendEmpty(ctx.res, 201, { Location: `${UPLOADS}/${staged.id}` });
}

export async function uploadOffset(ctx: RequestContext): Promise<void> {
  tusHeaders(ctx);
  const { upload, offset } = await ctx.app.uploads.find(sessionOf(ctx).account, ctx.params.id);
  sendEmpty(ctx.res, 200, { 'Upload-Offset': offset, 'Upload-Length': upload.length, 'Cache-Control': 'no-store' });
}

export async function appendUpload(ctx: RequestContext): Promise<void> {
  tusHeaders(ctx);
  checkVersion(ctx.req.headers['tus-resumable']);
  if ((ctx.req.headers['content-type'] ?? '').split(';')[0].trim() !== OFFSET_CONTENT_TYPE)
    throw new HttpError('unsupported_media_type', `Content-Type must be ${OFFSET_CONTENT_TYPE}`);
  const offset = byteCount(ctx.req.headers['upload-offset'], 'Upload-Offset');
  // Each PATCH is one transfer in the logs and metrics, as each STOR or APPE of a resumed FTP upload is.
  const transfer = new WebTransfer(ctx, 'upload', '');
  await transfer.run(async () => {
    const now = await ctx.app.uploads.append(filesOf(ctx), ctx.params.id, offset, transfer.count(ctx.req), (upload) => (transfer.path = upload.target));
    // A client that dropped the connection gets no answer; it asks for the offset (HEAD) when it comes back.
    if (ctx.req.socket.destroyed) return;
    sendEmpty(ctx.res, 204, { 'Upload-Offset': now });
  });
}

export async function terminateUpload(ctx: RequestContext): Promise<void> {
  tusHeaders(ctx);
  checkVersion(ctx.req.headers['tus-resumable']);
  await ctx.app.uploads.terminate(sessionOf(ctx).account, ctx.params.id);
  sendEmpty(ctx.res, 204);
}
