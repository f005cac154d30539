/**
 * POST /api/login: the core's one login flow (App.login) decides, so a
 * failure counts in the same per-address LoginGuard as FTP's PASS, with the
 * same growing delay and the same ban (429 here, 421 there).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { watchStorageErrors } from '../../app/storageErrors.js';
import { SESSION_COOKIE, cookieHeader } from '../cookies.js';
import { sessionRefOf, type RequestContext } from '../context.js';
import { HttpError } from '../HttpError.js';
import { banned, checkAttemptAllowed } from '../loginAttempts.js';
import { readJson, sendJson, stringField } from '../respond.js';
import type { WebSession } from '../SessionStore.js';
import { sessionBody } from './session.js';

export async function login(ctx: RequestContext): Promise<void> {
  const { app } = ctx;
  checkAttemptAllowed(ctx);
  const body = await readJson(ctx.req);
  const user = stringField(body, 'user');
  const password = stringField(body, 'password');
  let session: WebSession | null = null;
  // The session is made before the login's event, so the event names it.
  const outcome = await app.core.login(ctx.who, user, password, (account, storage) => {
    session = app.sessions.create(account, watchStorageErrors(storage));
    return sessionRefOf(app.log, ctx.address, session);
  });
  if (outcome.kind === 'banned') throw banned();
  if (outcome.kind === 'failed') {
    await sleep(outcome.delayMs);
    throw outcome.banned ? banned() : new HttpError('login_failed', 'Login incorrect');
  }
  sendJson(ctx.res, 200, sessionBody(session!), { 'Set-Cookie': cookieHeader(SESSION_COOKIE, session!.id, ctx.secure) });
}
