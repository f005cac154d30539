/**
 * The checks around any password the web door is given (a login, a share
 * link's password): the per-address rate, and the core's ban; a failure is
 * counted by the core (App.loginFailed) with its growing delay, as FTP's
 * PASS is.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestContext } from './context.js';
import { HttpError } from './HttpError.js';

export const banned = () => new HttpError('banned', 'Too many failed logins; try again later', { 'Retry-After': '60' });

/** Before the password is looked at: 429 past the rate, or while the address is banned. */
export function checkAttemptAllowed(ctx: RequestContext): void {
  if (!ctx.app.loginLimit.take(ctx.address)) throw new HttpError('rate_limited', 'Too many login attempts; slow down', { 'Retry-After': '5' });
  if (ctx.app.core.loginGuard.isBanned(ctx.address)) throw banned();
}

/** A wrong share-link password: counted, waited for, and the error to answer (429 if this one banned the address). */
export async function failedAttempt(ctx: RequestContext, user: string, refusal: HttpError): Promise<HttpError> {
  const { delayMs, banned: nowBanned } = ctx.app.core.loginFailed(ctx.who, user);
  await sleep(delayMs);
  return nowBanned ? banned() : refusal;
}
