/**
 * The checks around any password the web door is given (a login, a share
 * link's password): the per-address rate, the shared LoginGuard's ban, and a
 * failure counted there with its growing delay, as FTP's PASS does.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestContext } from './context.js';
import { HttpError } from './HttpError.js';

const banned = () => new HttpError('banned', 'Too many failed logins; try again later', { 'Retry-After': '60' });

/** Before the password is looked at: 429 past the rate, or while the address is banned. */
export function checkAttemptAllowed(ctx: RequestContext): void {
  if (!ctx.app.loginLimit.take(ctx.address)) throw new HttpError('rate_limited', 'Too many login attempts; slow down', { 'Retry-After': '5' });
  if (ctx.app.loginGuard.isBanned(ctx.address)) throw banned();
}

/** A wrong password: counted, waited for, and the error to answer (429 if this one banned the address). */
export async function failedAttempt(ctx: RequestContext, what: Record<string, unknown>, refusal: HttpError): Promise<HttpError> {
  const { app, address } = ctx;
  const { delayMs, banned: nowBanned } = app.loginGuard.recordFailure(address);
  app.log.info({ client: address, ...what, banned: nowBanned }, 'login failed');
  if (nowBanned) app.events?.emit('ban', { address });
  await sleep(delayMs);
  return nowBanned ? banned() : refusal;
}
