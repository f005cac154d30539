/** GET /api/zip?path=/a&path=/b: the named files and folders (of one folder) as one zip, streamed (zipStream.ts). */
import type { FileOperations } from '../../core/FileOperations.js';
import { baseName, joinVirtual, parentOf } from '../../core/virtualPath.js';
import { filesOf, type RequestContext } from '../context.js';
import { badRequest } from '../HttpError.js';
import { contentDisposition } from '../preview.js';
import { WebTransfer } from '../transfers.js';
import { writeZip, type ZipItem } from '../zipStream.js';

const MAX_ITEMS = 10_000;

export function zip(ctx: RequestContext): Promise<void> {
  return sendZip(ctx, filesOf(ctx), ctx.url.searchParams.getAll('path'));
}

/** Every path is looked at before the first byte, so a missing one is a 404 and not a broken zip. */
export async function sendZip(ctx: RequestContext, files: FileOperations, args: readonly string[], zipName?: string, as?: WebTransfer['as']): Promise<void> {
  if (args.length === 0 || args.length > MAX_ITEMS) throw badRequest(`give 1 to ${MAX_ITEMS} paths`);
  const items: ZipItem[] = [];
  for (const arg of args) {
    const { path, info } = await files.stat(arg);
    if (info.type !== 'file' && info.type !== 'dir') throw badRequest(`${path} is neither a file nor a folder`);
    items.push({ path, type: info.type, mtime: info.mtime, size: info.size });
  }
  const parent = parentOf(items[0].path);
  if (items.some((item) => parentOf(item.path) !== parent)) throw badRequest('the paths must be in one folder');
  if (new Set(items.map((i) => i.path)).size !== items.length) throw badRequest('a path is named twice');
  const name = zipName ?? (items.length === 1 ? baseName(items[0].path) || 'files' : baseName(parent) || 'files');
  ctx.res.writeHead(200, {
    'Content-Type': 'application/zip',
    'Content-Disposition': contentDisposition('attachment', `${name}.zip`),
  });
  if (ctx.req.method === 'HEAD') {
    ctx.res.end();
    return;
  }
  const abort = new AbortController();
  ctx.res.once('close', () => abort.abort());
  const transfer = new WebTransfer(ctx, 'download', joinVirtual(parent, `${name}.zip`), as);
  await transfer.run(() => writeZip(files, items, ctx.res, abort.signal, transfer.count));
}
