/** Login and logout (RFC 959 4.1.1), with guessing slowed down and shut out (auth/LoginGuard). */
import { Reply } from '../protocol/replies.js';
import type { Session } from '../Session.js';

export function USER(s: Session, arg: string): void {
  if (refuseWithoutTls(s)) return;
  // A new USER ends any login in progress or done (RFC 959: USER may be sent at any time).
  s.logout();
  s.pendingUser = arg;
  if (s.context.app.authenticator.isAnonymousName(arg)) s.reply(Reply.NeedPassword, 'Anonymous login ok, send your e-mail address as password');
  // The same reply for every other name: it must not tell whether the account exists.
  else s.reply(Reply.NeedPassword, 'Password required');
}

export async function PASS(s: Session, arg: string): Promise<void> {
  if (refuseWithoutTls(s)) return;
  const user = s.pendingUser;
  if (user === null) {
    s.reply(Reply.BadSequence, s.account ? 'Already logged in' : 'Login with USER first');
    return;
  }
  s.pendingUser = null;
  // The core's one login flow (app/App.ts): bans, counting and events are the same on every door.
  const outcome = await s.context.app.login(s, user, arg, (account, storage) => s.login(account, storage));
  if (outcome.kind === 'banned') {
    // A session opened before its address was banned gets no more guesses than a new one would.
    s.closeWith(Reply.ServiceUnavailable, 'Too many failed logins; try again later');
  } else if (outcome.kind === 'failed') {
    await s.pause(outcome.delayMs);
    if (outcome.banned) s.closeWith(Reply.ServiceUnavailable, 'Too many failed logins; try again later');
    else s.reply(Reply.NotLoggedIn, 'Login incorrect');
  } else s.reply(Reply.LoggedIn, 'Login successful');
}

export function QUIT(s: Session): void {
  s.closeWith(Reply.Closing, 'Goodbye');
}

/** With --tls-required, no name or password may cross the network in plaintext. */
function refuseWithoutTls(s: Session): boolean {
  if (!s.config.tls?.required || s.secure) return false;
  s.reply(Reply.NotLoggedIn, 'TLS required: send AUTH TLS first');
  return true;
}
