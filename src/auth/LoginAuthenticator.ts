/**
 * The server's login decisions: anonymous access to the served root by
 * policy, and the accounts of the users file, which can be re-read while
 * sessions go on (SIGHUP).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Account, Authenticator } from './Account.js';
import { ANONYMOUS_NAMES, type AnonymousPolicy } from './anonymousPolicy.js';
import { DECOY_HASH, verifyPassword } from './passwordHash.js';
import { ALL_PERMISSIONS, READ_ONLY } from './permissions.js';
import { Semaphore } from './Semaphore.js';
import { readUsersFile, type Users } from './UsersFile.js';

/**
 * scrypt takes tens of milliseconds and 16 MiB in libuv's thread pool, which
 * file reads and writes share: a burst of 200 logins must not stall every
 * transfer behind it. At most this many hashes run at once.
 */
const CONCURRENT_HASHES = 2;

export class LoginAuthenticator implements Authenticator {
  private readonly hashing = new Semaphore(CONCURRENT_HASHES);
  /** A key only this process knows, for remembering passwords already proved right. */
  private readonly rememberKey = randomBytes(32);
  /** User -> keyed hash of the password that last logged in: the next login with it skips scrypt. */
  private verified = new Map<string, Buffer>();

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
    if (this.usersFile === null) return;
    this.users = await readUsersFile(this.usersFile);
    this.verified = new Map();
  }

  isAnonymousName(user: string): boolean {
    return this.anonymous !== 'off' && ANONYMOUS_NAMES.has(user.toLowerCase());
  }

  async authenticate(user: string, password: string): Promise<Account | null> {
    if (this.isAnonymousName(user)) {
      return { name: 'anonymous', home: this.root, permissions: this.anonymous === 'write' ? ALL_PERMISSIONS : READ_ONLY, anonymous: true };
    }
    const record = this.users.get(user);
    const proof = createHmac('sha256', this.rememberKey).update(`${user}\0${password}`).digest();
    const remembered = this.verified.get(user);
    // Only a password already proved right skips scrypt; every wrong one, and every unknown name, pays it in
    // full, so timing tells neither whether a name exists nor anything that helps guessing.
    const known = remembered !== undefined && timingSafeEqual(remembered, proof);
    if (!known && !(await this.hashing.run(() => verifyPassword(password, record?.password ?? DECOY_HASH)))) return null;
    if (!record) return null;
    this.verified.set(user, proof);
    return { name: user, home: record.home ?? this.root, permissions: record.permissions, anonymous: false };
  }
}
