/**
 * The server's login decisions: anonymous access to the served root by
 * policy, and the accounts of the users file, which can be re-read while
 * sessions go on (SIGHUP).
 */
import type { Account, Authenticator } from './Account.js';
import { ANONYMOUS_NAMES, type AnonymousPolicy } from './anonymousPolicy.js';
import { DECOY_HASH, verifyPassword } from './passwordHash.js';
import { ALL_PERMISSIONS, READ_ONLY } from './permissions.js';
import { readUsersFile, type Users } from './UsersFile.js';

export class LoginAuthenticator implements Authenticator {
  private constructor(
    private readonly root: string,
    private readonly anonymous: AnonymousPolicy,
    private readonly usersFile: string | null,
    private users: Users,
  ) {}

  /** Reads the users file, if any; a bad file is an error here, at start. */
  static async create(root: string, anonymous: AnonymousPolicy, usersFile: string | null): Promise<LoginAuthenticator> {
    const users = usersFile === null ? new Map() : await readUsersFile(usersFile);
    return new LoginAuthenticator(root, anonymous, usersFile, users);
  }

  get accountCount(): number {
    return this.users.size;
  }

  /** The home directories of the accounts that have their own. */
  homes(): string[] {
    return [...this.users.values()].flatMap((u) => (u.home === null ? [] : [u.home]));
  }

  /** Re-reads the users file; if it is now broken, the accounts in use stay and the error is thrown. */
  async reload(): Promise<void> {
    if (this.usersFile !== null) this.users = await readUsersFile(this.usersFile);
  }

  isAnonymousName(user: string): boolean {
    return this.anonymous !== 'off' && ANONYMOUS_NAMES.has(user.toLowerCase());
  }

  async authenticate(user: string, password: string): Promise<Account | null> {
    if (this.isAnonymousName(user)) {
      return { name: 'anonymous', home: this.root, permissions: this.anonymous === 'write' ? ALL_PERMISSIONS : READ_ONLY, anonymous: true };
    }
    const record = this.users.get(user);
    // An unknown name costs the same scrypt as a known one: timing must not tell which names exist.
    const ok = await verifyPassword(password, record?.password ?? DECOY_HASH);
    if (!record || !ok) return null;
    return { name: user, home: record.home ?? this.root, permissions: record.permissions, anonymous: false };
  }
}
