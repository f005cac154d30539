/**
 * POST /api/login: the shared Authenticator decides, and a failure counts in
 * the same per-address LoginGuard as FTP's PASS, with the same growing delay
 * and the same ban (429 here, 421 there).
 */
import { SESSION_COOKIE, cookieHeader } from '../cookies.js';
import type { RequestContext } from '../context.js';
import { HttpError } from '../HttpError.js';
import { checkAttemptAllowed, failedAttempt } from '../loginAttempts.js';
import { readJson, sendJson, stringField } from '../respond.js';
import { sessionBody } from './session.js';

export async function login(ctx: RequestContext): Promise<void> {
  const { app, address } = ctx;
  checkAttemptAllowed(ctx);
  const body = await readJson(ctx.req);
  const user = stringField(body, 'user');
  const password = stringField(body, 'password');
  const account = await app.authenticator.authenticate(user, password);
  if (!account) throw await failedAttempt(ctx, { user }, new HttpError('login_failed', 'Login incorrect'));
  let storage;
  try {
    storage = await app.storage.open(account.home);
  } catch (err) {
    app.log.error({ user, home: account.home, err: (err as Error).message }, 'home directory unavailable');
    throw new HttpError('login_failed', 'Login incorrect');
  }
  const session = app.sessions.create(account, storage);
  app.log.info({ client: address, user: account.name }, 'logged in');
  sendJson(ctx.res, 200, sessionBody(session), { 'Set-Cookie': cookieHeader(SESSION_COOKIE, session.id, ctx.secure) });
}
