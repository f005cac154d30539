/**
 * POST /api/login: the shared Authenticator decides, and a failure counts in
 * the same per-address LoginGuard as FTP's PASS, with the same growing delay
 * and the same ban (429 here, 421 there).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SESSION_COOKIE, cookieHeader } from '../cookies.js';
import type { RequestContext } from '../context.js';
import { HttpError } from '../HttpError.js';
import { readJson, sendJson, stringField } from '../respond.js';
import { sessionBody } from './session.js';

const banned = () => new HttpError('banned', 'Too many failed logins; try again later', { 'Retry-After': '60' });

export async function login(ctx: RequestContext): Promise<void> {
  const { app, address } = ctx;
  if (!app.loginLimit.take(address)) throw new HttpError('rate_limited', 'Too many login attempts; slow down', { 'Retry-After': '5' });
  if (app.loginGuard.isBanned(address)) throw banned();
  const body = await readJson(ctx.req);
  const user = stringField(body, 'user');
  const password = stringField(body, 'password');
  const account = await app.authenticator.authenticate(user, password);
  if (!account) {
    const { delayMs, banned: nowBanned } = app.loginGuard.recordFailure(address);
    app.log.info({ client: address, user, banned: nowBanned, door: 'http' }, 'login failed');
    if (nowBanned) app.events?.emit('ban', { address });
    await sleep(delayMs);
    if (nowBanned) throw banned();
    throw new HttpError('login_failed', 'Login incorrect');
  }
  let storage;
  try {
    storage = await app.storage.open(account.home);
  } catch (err) {
    app.log.error({ user, home: account.home, err: (err as Error).message }, 'home directory unavailable');
    throw new HttpError('login_failed', 'Login incorrect');
  }
  const session = app.sessions.create(account, storage);
  app.log.info({ client: address, user: account.name, door: 'http' }, 'logged in');
  sendJson(ctx.res, 200, sessionBody(session), { 'Set-Cookie': cookieHeader(SESSION_COOKIE, session.id, ctx.secure) });
}
