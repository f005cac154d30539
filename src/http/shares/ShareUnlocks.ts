/**
 * Browsers that gave a share link's password: a random token (the share's
 * own cookie, Path=/api/s/<id>) -> that share, until the share expires. In
 * memory, bounded; after a restart the password is asked again.
 */
import { randomBytes } from 'node:crypto';

const MAX_UNLOCKS = 100_000;

export class ShareUnlocks {
  private readonly unlocks = new Map<string, { shareId: string; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  grant(shareId: string, expires: number): string {
    const token = randomBytes(32).toString('base64url');
    this.unlocks.set(token, { shareId, expires });
    while (this.unlocks.size > MAX_UNLOCKS) this.unlocks.delete(this.unlocks.keys().next().value!);
    return token;
  }

  allows(token: string | undefined, shareId: string): boolean {
    if (token === undefined) return false;
    const unlock = this.unlocks.get(token);
    if (!unlock) return false;
    if (unlock.expires <= this.now()) {
      this.unlocks.delete(token);
      return false;
    }
    return unlock.shareId === shareId;
  }
}

export const shareCookieName = 'sockftp_share';
export const shareCookiePath = (id: string) => `/api/s/${id}`;
