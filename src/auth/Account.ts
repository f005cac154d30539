import type { Permission } from './permissions.js';

/** A logged-in identity: who, which directory is their "/", and what they may do there. */
export interface Account {
  readonly name: string;
  /** Host directory that is this account's virtual root. */
  readonly home: string;
  readonly permissions: ReadonlySet<Permission>;
  readonly anonymous: boolean;
}

/** Decides logins. Implementations never reveal whether a user exists. */
export interface Authenticator {
  /** Whether this name logs in anonymously (any password accepted). */
  isAnonymousName(user: string): boolean;
  authenticate(user: string, password: string): Promise<Account | null>;
}
