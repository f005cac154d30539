/** GET /api/session: who is logged in (the page asks at load), and POST /api/logout. */
import { SESSION_COOKIE, clearedCookieHeader } from '../cookies.js';
import { sessionOf, type RequestContext } from '../context.js';
import { sendEmpty, sendJson } from '../respond.js';
import type { WebSession } from '../SessionStore.js';

/** What the page needs of its session: the name to show, the CSRF token to send, and what it may offer. */
export function sessionBody(session: WebSession): { user: string; csrf: string; anonymous: boolean; permissions: string[] } {
  return { user: session.account.name, csrf: session.csrf, anonymous: session.account.anonymous, permissions: [...session.account.permissions] };
}

export function currentSession(ctx: RequestContext): void {
  sendJson(ctx.res, 200, sessionBody(sessionOf(ctx)));
}

export function logout(ctx: RequestContext): void {
  ctx.app.sessions.delete(sessionOf(ctx).id);
  sendEmpty(ctx.res, 204, { 'Set-Cookie': clearedCookieHeader(SESSION_COOKIE, ctx.secure) });
}
