/**
 * Where web uploads wait until their last byte: a directory on this machine
 * with two files per upload, `<id>.json` (who, where to, how long) and
 * `<id>.part` (the bytes so far; its size is the tus offset). Nothing of an
 * upload reaches the account's storage before it is complete (TusUploads
 * then writes it through FileOperations), so a half upload is never seen,
 * on disk and on S3 alike. What is not touched for the expiry is swept.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface StagedUpload {
  readonly id: string;
  /** Who may continue it: an account name and home, so another account cannot, and a new login of the same one can. */
  readonly owner: string;
  /** The virtual path it lands at. */
  readonly target: string;
  readonly length: number;
  readonly metadata: Readonly<Record<string, string>>;
}

const ID = /^[A-Za-z0-9_-]{22}$/;

export class StagingArea {
  constructor(
    readonly dir: string,
    private readonly expiryMs: number,
  ) {}

  async open(): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  async create(upload: Omit<StagedUpload, 'id'>): Promise<StagedUpload> {
    const staged = { ...upload, id: randomBytes(16).toString('base64url') };
    await fs.promises.writeFile(this.partPath(staged.id), '', { flag: 'wx', mode: 0o600 });
    await fs.promises.writeFile(this.infoPath(staged.id), JSON.stringify(staged), { flag: 'wx', mode: 0o600 });
    return staged;
  }

  /** The upload of this id if `owner` may see it, else null (another owner's is as unknown as a missing one). */
  async get(id: string, owner: string): Promise<StagedUpload | null> {
    if (!ID.test(id)) return null;
    let staged: StagedUpload;
    try {
      staged = JSON.parse(await fs.promises.readFile(this.infoPath(id), 'utf8')) as StagedUpload;
    } catch {
      return null;
    }
    return staged.owner === owner ? staged : null;
  }

  /** The bytes received so far. */
  async offset(id: string): Promise<number> {
    return (await fs.promises.stat(this.partPath(id))).size;
  }

  /** Marks the upload as in use now, so the sweep leaves it. */
  async touch(id: string): Promise<void> {
    const now = new Date();
    await fs.promises.utimes(this.infoPath(id), now, now).catch(() => undefined);
  }

  partPath(id: string): string {
    return path.join(this.dir, `${id}.part`);
  }

  async remove(id: string): Promise<void> {
    await Promise.all([fs.promises.rm(this.partPath(id), { force: true }), fs.promises.rm(this.infoPath(id), { force: true })]);
  }

  /** Removes the uploads untouched for the expiry (a page closed for good, a crash's leftovers); says how many. */
  async sweep(now = Date.now()): Promise<number> {
    const ids = new Set<string>();
    for (const name of await fs.promises.readdir(this.dir).catch(() => [] as string[])) {
      const m = /^([A-Za-z0-9_-]{22})\.(?:json|part)$/.exec(name);
      if (m) ids.add(m[1]);
    }
    let removed = 0;
    for (const id of ids) {
      // Each write moves the part's time, each request the info's: the later of the two is the last use.
      const times = await Promise.all(
        [this.partPath(id), this.infoPath(id)].map((f) =>
          fs.promises.stat(f).then(
            (s) => s.mtimeMs,
            () => 0,
          ),
        ),
      );
      if (now - Math.max(...times) < this.expiryMs) continue;
      await this.remove(id);
      removed++;
    }
    return removed;
  }

  private infoPath(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }
}
