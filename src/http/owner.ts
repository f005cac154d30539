import type { Account } from '../auth/Account.js';

/** Who owns an upload or a share link: the account's name and home, so a renamed or re-homed account does not inherit another's. */
export function ownerKey(account: Account): string {
  return `${account.name}\0${account.home}`;
}
