/** GET /api/sha256?path=: the file's SHA-256, by the core's digest (the backend's stored one where it has it, as FTP's HASH). */
import { isADirectory } from '../../core/errors.js';
import { filesOf, type RequestContext } from '../context.js';
import { sendJson } from '../respond.js';
import { requiredPath } from './file.js';

export async function sha256(ctx: RequestContext): Promise<void> {
  const files = filesOf(ctx);
  const { path, info } = await files.stat(requiredPath(ctx.url.searchParams));
  if (info.type === 'dir') throw isADirectory(path);
  sendJson(ctx.res, 200, { path, sha256: await files.digest(path, 'SHA-256', 0, info.size, info.size) });
}
