/**
 * POST /api/mkdir {"path"}, POST /api/rename {"from","to"}, POST /api/delete
 * {"paths"}: the same FileOperations calls as FTP's MKD, RNFR/RNTO and
 * DELE/RMD, so the same permissions and confinement apply.
 */
import type { FileOperations } from '../../core/FileOperations.js';
import { joinVirtual } from '../../core/virtualPath.js';
import { alreadyExists } from '../../core/errors.js';
import { filesOf, type RequestContext } from '../context.js';
import { badRequest } from '../HttpError.js';
import { readJson, sendJson, stringField } from '../respond.js';

/** Paths one delete request may name: the page sends a selection, not a data set. */
const MAX_DELETE_PATHS = 10_000;

export async function mkdir(ctx: RequestContext): Promise<void> {
  const path = await filesOf(ctx).mkdir(stringField(await readJson(ctx.req), 'path'));
  sendJson(ctx.res, 201, { path });
}

/** A rename never replaces what is at the target: a browser user dragging a file onto a name expects to be asked, not to lose it. */
export async function rename(ctx: RequestContext): Promise<void> {
  const body = await readJson(ctx.req);
  const files = filesOf(ctx);
  const from = await files.renameSource(stringField(body, 'from'));
  const to = files.resolve(stringField(body, 'to'));
  if (from === to) throw badRequest('The new name is the old one');
  if (await files.exists(to)) throw alreadyExists(to);
  sendJson(ctx.res, 200, { path: await files.rename(from, to) });
}

export async function remove(ctx: RequestContext): Promise<void> {
  const paths = (await readJson(ctx.req)).paths;
  if (!Array.isArray(paths) || paths.length === 0 || paths.length > MAX_DELETE_PATHS || !paths.every((p) => typeof p === 'string'))
    throw badRequest(`"paths" must be a list of 1 to ${MAX_DELETE_PATHS} paths`);
  const files = filesOf(ctx);
  const deleted: string[] = [];
  for (const arg of paths) {
    const path = files.resolve(arg);
    if (path === '/') throw badRequest('The top folder cannot be deleted');
    await deleteTree(files, path);
    deleted.push(path);
  }
  sendJson(ctx.res, 200, { deleted });
}

/** A file, or a folder with everything in it, depth first: each entry deleted by FileOperations, which checks the permission. */
async function deleteTree(files: FileOperations, path: string): Promise<void> {
  const { listing } = await files.listing(path);
  if (listing.kind === 'file') {
    await files.delete(path);
    return;
  }
  // The whole listing first: deleting while a backend pages through it could skip entries.
  const children: { path: string; dir: boolean }[] = [];
  for await (const page of listing.pages) for (const entry of page) children.push({ path: joinVirtual(path, entry.name), dir: entry.type === 'dir' });
  for (const child of children) {
    if (child.dir) await deleteTree(files, child.path);
    else await files.delete(child.path);
  }
  await files.rmdir(path);
}
