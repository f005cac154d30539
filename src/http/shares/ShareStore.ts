/**
 * Read-only share links: an id (16 random bytes) -> whose, which file or
 * folder, until when, and an optional password (scrypt, the users file's
 * passwordHash). Kept in memory, and with --http-shares-file in a JSON file
 * rewritten atomically on every change (temporary + rename), so links an
 * operator's users sent out survive a restart. Expired links are dropped.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Share {
  readonly id: string;
  /** ownerKey() of the account that made it. */
  readonly owner: string;
  /** The owner's name and home as they were: the share is served from there, read-only. */
  readonly user: string;
  readonly home: string;
  /** The shared file or folder, a virtual path in that home. */
  readonly path: string;
  readonly type: 'file' | 'dir';
  readonly created: number;
  readonly expires: number;
  readonly passwordHash: string | null;
}

/** Links one store holds at most: a bound on memory and on the file's size. */
export const MAX_SHARES = 100_000;
const ID = /^[A-Za-z0-9_-]{22}$/;

export class ShareStore {
  private readonly shares = new Map<string, Share>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string | null,
    private readonly now: () => number,
  ) {}

  /** Reads the file if there is one (a missing file is an empty store; a broken one an error at start). */
  static async open(file: string | null, now: () => number = Date.now): Promise<ShareStore> {
    const store = new ShareStore(file, now);
    if (file === null) return store;
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw err;
    }
    const parsed = JSON.parse(text) as { shares?: unknown };
    if (!Array.isArray(parsed.shares)) throw new Error(`${file}: not a shares file (no "shares" list)`);
    for (const share of parsed.shares as Share[]) if (ID.test(share.id) && share.expires > now()) store.shares.set(share.id, share);
    return store;
  }

  async create(share: Omit<Share, 'id' | 'created'>): Promise<Share> {
    this.dropExpired();
    if (this.shares.size >= MAX_SHARES) throw new Error('too many share links');
    const made: Share = { ...share, id: randomBytes(16).toString('base64url'), created: this.now() };
    this.shares.set(made.id, made);
    await this.save();
    return made;
  }

  /** A live share, or null (unknown, revoked and expired are all the same answer). */
  get(id: string): Share | null {
    const share = ID.test(id) ? this.shares.get(id) : undefined;
    if (!share || share.expires <= this.now()) return null;
    return share;
  }

  ownedBy(owner: string): Share[] {
    this.dropExpired();
    return [...this.shares.values()].filter((s) => s.owner === owner).sort((a, b) => a.created - b.created);
  }

  /** Removes `owner`'s share `id`; false if there is none of theirs. */
  async revoke(id: string, owner: string): Promise<boolean> {
    const share = this.get(id);
    if (!share || share.owner !== owner) return false;
    this.shares.delete(id);
    await this.save();
    return true;
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [id, share] of this.shares) if (share.expires <= now) this.shares.delete(id);
  }

  /** One write at a time, each of the whole store as it is then. */
  private save(): Promise<void> {
    const file = this.file;
    if (file === null) return Promise.resolve();
    const write = async () => {
      const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
      // 0600: the password hashes are slow to crack, not impossible.
      await fs.promises.writeFile(temp, JSON.stringify({ shares: [...this.shares.values()] }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      try {
        await fs.promises.rename(temp, file);
      } catch (err) {
        await fs.promises.rm(temp, { force: true });
        throw err;
      }
    };
    this.writing = this.writing.then(write, write);
    return this.writing;
  }
}
