/** POST /api/shares, GET /api/shares, DELETE /api/shares/<id>: an account's read-only share links (shares/ShareStore.ts). */
import { hashPassword } from '../../auth/passwordHash.js';
import { permissionDenied } from '../../core/errors.js';
import { filesOf, sessionOf, type RequestContext } from '../context.js';
import { badRequest, shareNotFound } from '../HttpError.js';
import { ownerKey } from '../owner.js';
import { readJson, sendEmpty, sendJson, stringField } from '../respond.js';
import type { Share } from '../shares/ShareStore.js';

const MIN_SECONDS = 60;
const MAX_SECONDS = 365 * 86_400;
const DEFAULT_SECONDS = 7 * 86_400;

function shareUrl(ctx: RequestContext, share: Share): string {
  return `${ctx.secure ? 'https' : 'http'}://${ctx.req.headers.host ?? 'localhost'}/s/${share.id}`;
}

function described(ctx: RequestContext, share: Share) {
  return {
    id: share.id,
    path: share.path,
    type: share.type,
    expires: new Date(share.expires).toISOString(),
    hasPassword: share.passwordHash !== null,
    url: shareUrl(ctx, share),
  };
}

export async function createShare(ctx: RequestContext): Promise<void> {
  const body = await readJson(ctx.req);
  const files = filesOf(ctx);
  // A link is its owner's: an anonymous session has no one to own it, and any anonymous user could revoke it.
  if (files.account.anonymous) throw permissionDenied('share links');
  const seconds = body.expiresInSeconds ?? DEFAULT_SECONDS;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < MIN_SECONDS || seconds > MAX_SECONDS)
    throw badRequest(`"expiresInSeconds" must be a whole number from ${MIN_SECONDS} to ${MAX_SECONDS}`);
  const password = body.password === undefined || body.password === null || body.password === '' ? null : stringField(body, 'password');
  const { path, info } = await files.stat(stringField(body, 'path'));
  if (info.type !== 'file' && info.type !== 'dir') throw badRequest(`${path} is neither a file nor a folder`);
  const share = await ctx.app.shares.create({
    owner: ownerKey(files.account),
    user: files.account.name,
    home: files.account.home,
    path,
    type: info.type,
    expires: Date.now() + seconds * 1000,
    passwordHash: password === null ? null : await hashPassword(password),
  });
  const { id, url, expires } = described(ctx, share);
  sendJson(ctx.res, 201, { id, url, expires });
}

export function listShares(ctx: RequestContext): void {
  const shares = ctx.app.shares.ownedBy(ownerKey(sessionOf(ctx).account));
  sendJson(ctx.res, 200, { shares: shares.map((s) => described(ctx, s)) });
}

export async function revokeShare(ctx: RequestContext): Promise<void> {
  if (!(await ctx.app.shares.revoke(ctx.params.id, ownerKey(sessionOf(ctx).account)))) throw shareNotFound();
  sendEmpty(ctx.res, 204);
}
