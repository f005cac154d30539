/**
 * The public side of a share link, no login: /api/s/<id> (what it is),
 * /unlock (its password), /list, /file, /zip with paths relative to the
 * shared item. The owner's storage is opened read-only (READ_ONLY
 * permissions in a FileOperations of its own), and every path is resolved
 * inside "/" first and then put under the shared path, so nothing above it
 * can be named.
 */
import { READ_ONLY } from '../../auth/permissions.js';
import { verifyPassword } from '../../auth/passwordHash.js';
import { FileOperations } from '../../core/FileOperations.js';
import { baseName, resolveVirtualPath } from '../../core/virtualPath.js';
import { notFound } from '../../core/errors.js';
import type { ServerEventMap } from '../../app/events.js';
import type { RequestContext } from '../context.js';
import { cookieHeader, readCookie } from '../cookies.js';
import { sendFile } from '../fileResponse.js';
import { HttpError, shareNotFound } from '../HttpError.js';
import { checkAttemptAllowed, failedAttempt } from '../loginAttempts.js';
import { readJson, sendJson, stringField } from '../respond.js';
import type { Share } from '../shares/ShareStore.js';
import { shareCookieName, shareCookiePath } from '../shares/ShareUnlocks.js';
import { listPage } from './list.js';
import { sendZip } from './zip.js';

/** The share the link names, its use announced to the core's events (metrics and logs count share-link use). */
function liveShare(ctx: RequestContext, action: ServerEventMap['shareUsed']['action']): Share {
  const share = ctx.app.shares.get(ctx.params.id);
  if (!share) throw shareNotFound();
  ctx.app.core.events.emit('shareUsed', { session: ctx.who, share: share.id, action });
  return share;
}

/** Whom a share's downloads are logged as: its visitor, who has no account. */
const visitorOf = (share: Share) => ({ user: `share:${share.id}`, anonymous: true });

function unlocked(ctx: RequestContext, share: Share): boolean {
  return share.passwordHash === null || ctx.app.shareUnlocks.allows(readCookie(ctx.req.headers.cookie, shareCookieName), share.id);
}

/** The share's files, read-only, and its paths: "/" is the shared item. */
async function openShare(
  ctx: RequestContext,
  action: 'list' | 'file' | 'zip',
): Promise<{ share: Share; files: FileOperations; inside: (arg: string | null) => string }> {
  const share = liveShare(ctx, action);
  if (!unlocked(ctx, share)) throw new HttpError('share_locked', 'This link needs its password');
  const storage = await ctx.app.core.storage.open(share.home);
  const files = new FileOperations({ name: share.user, home: share.home, permissions: READ_ONLY, anonymous: false }, storage);
  const inside = (arg: string | null): string => {
    const rel = resolveVirtualPath('/', arg ?? '/');
    if (share.type === 'file') {
      if (rel === '/' || rel === `/${baseName(share.path)}`) return share.path;
      throw notFound(rel);
    }
    return rel === '/' ? share.path : share.path === '/' ? rel : share.path + rel;
  };
  return { share, files, inside };
}

export function shareInfo(ctx: RequestContext): void {
  const share = liveShare(ctx, 'info');
  sendJson(ctx.res, 200, {
    name: baseName(share.path) || share.user,
    type: share.type,
    expires: new Date(share.expires).toISOString(),
    needsPassword: !unlocked(ctx, share),
  });
}

/** A wrong password counts in the same per-address LoginGuard as a wrong login: a link's password is no easier to guess. */
export async function unlockShare(ctx: RequestContext): Promise<void> {
  const { app } = ctx;
  const share = liveShare(ctx, 'unlock');
  checkAttemptAllowed(ctx);
  const password = stringField(await readJson(ctx.req), 'password');
  if (share.passwordHash !== null && !(await verifyPassword(password, share.passwordHash)))
    throw await failedAttempt(ctx, `share:${share.id}`, new HttpError('login_failed', 'Wrong password'));
  const token = app.shareUnlocks.grant(share.id, share.expires);
  sendJson(ctx.res, 200, { ok: true }, { 'Set-Cookie': cookieHeader(shareCookieName, token, ctx.secure, shareCookiePath(share.id)) });
}

export async function shareList(ctx: RequestContext): Promise<void> {
  const { files, inside } = await openShare(ctx, 'list');
  const arg = ctx.url.searchParams.get('path');
  sendJson(ctx.res, 200, await listPage(files, inside(arg), ctx.url.searchParams, resolveVirtualPath('/', arg ?? '/')));
}

export async function shareFile(ctx: RequestContext): Promise<void> {
  const { share, files, inside } = await openShare(ctx, 'file');
  await sendFile(ctx, files, inside(ctx.url.searchParams.get('path')), visitorOf(share));
}

export async function shareZip(ctx: RequestContext): Promise<void> {
  const { share, files, inside } = await openShare(ctx, 'zip');
  const args = ctx.url.searchParams.getAll('path');
  await sendZip(ctx, files, (args.length > 0 ? args : ['/']).map(inside), args.length === 0 ? baseName(share.path) || 'files' : undefined, visitorOf(share));
}
