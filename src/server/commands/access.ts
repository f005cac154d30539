/** Login and logout (RFC 959 4.1.1). */
import { Reply } from '../../protocol/replies.js';
import type { Session } from '../Session.js';

export function USER(s: Session, arg: string): void {
  // A new USER ends any login in progress or done (RFC 959: USER may be sent at any time).
  s.logout();
  s.pendingUser = arg;
  if (s.context.authenticator.isAnonymousName(arg)) s.reply(Reply.NeedPassword, 'Anonymous login ok, send your e-mail address as password');
  // The same reply for every other name: it must not tell whether the account exists.
  else s.reply(Reply.NeedPassword, 'Password required');
}

export async function PASS(s: Session, arg: string): Promise<void> {
  const user = s.pendingUser;
  if (user === null) {
    s.reply(Reply.BadSequence, s.account ? 'Already logged in' : 'Login with USER first');
    return;
  }
  s.pendingUser = null;
  const account = await s.context.authenticator.authenticate(user, arg);
  if (!account) {
    s.log.info({ user }, 'login failed');
    s.reply(Reply.NotLoggedIn, 'Login incorrect');
    return;
  }
  let storage;
  try {
    storage = await s.context.openStorage(account);
  } catch (err) {
    s.log.error({ user, home: account.home, err: (err as Error).message }, 'home directory unavailable');
    s.reply(Reply.NotLoggedIn, 'Login incorrect');
    return;
  }
  s.login(account, storage);
  s.log.info('login');
  s.reply(Reply.LoggedIn, 'Login successful');
}

export function QUIT(s: Session): void {
  s.closeWith(Reply.Closing, 'Goodbye');
}
