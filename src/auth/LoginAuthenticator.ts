/** The server's login decisions: anonymous access to the served root, by policy. */
import type { Account, Authenticator } from './Account.js';
import { ANONYMOUS_NAMES, type AnonymousPolicy } from './anonymousPolicy.js';
import { ALL_PERMISSIONS, READ_ONLY } from './permissions.js';

export class LoginAuthenticator implements Authenticator {
  constructor(
    private readonly root: string,
    private readonly anonymous: AnonymousPolicy,
  ) {}

  isAnonymousName(user: string): boolean {
    return this.anonymous !== 'off' && ANONYMOUS_NAMES.has(user.toLowerCase());
  }

  async authenticate(user: string, _password: string): Promise<Account | null> {
    if (!this.isAnonymousName(user)) return null;
    return {
      name: 'anonymous',
      home: this.root,
      permissions: this.anonymous === 'write' ? ALL_PERMISSIONS : READ_ONLY,
      anonymous: true,
    };
  }
}
