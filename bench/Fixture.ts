/**
 * The tree every server serves, the same for all: one big random file to
 * download, a 10 MiB file for the many-clients test, a directory of many
 * entries to list, and per-server places for uploads. Owned by the
 * benchmark's local user, because vsftpd writes as that user.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiB } from './paths.js';

export interface FixtureSizes {
  readonly bigBytes: number;
  readonly clientFileBytes: number;
  readonly listEntries: number;
}

export class Fixture {
  static readonly BIG = 'big.bin';
  static readonly CLIENT_FILE = 'ten.bin';
  static readonly LIST_DIR = 'entries';

  private constructor(
    /** The served tree, the account's home. */
    readonly root: string,
    private readonly owner: { readonly uid: number; readonly gid: number },
  ) {}

  /** Writes the tree under `root` (an empty directory) and hands it to `owner`. */
  static build(root: string, sizes: FixtureSizes, owner: { uid: number; gid: number }): Fixture {
    writeRandomFile(path.join(root, Fixture.BIG), sizes.bigBytes);
    writeRandomFile(path.join(root, Fixture.CLIENT_FILE), sizes.clientFileBytes);
    const entries = path.join(root, Fixture.LIST_DIR);
    fs.mkdirSync(entries);
    for (let i = 0; i < sizes.listEntries; i++) fs.writeFileSync(path.join(entries, `entry-${String(i).padStart(5, '0')}.txt`), '');
    const fixture = new Fixture(root, owner);
    for (const name of ['', Fixture.BIG, Fixture.CLIENT_FILE, Fixture.LIST_DIR]) fixture.own(path.join(root, name));
    for (const name of fs.readdirSync(entries)) fixture.own(path.join(entries, name));
    return fixture;
  }

  path(name: string): string {
    return path.join(this.root, name);
  }

  /** An empty directory for one server's uploads, writable by the account. */
  makeDir(name: string): string {
    const dir = this.path(name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    this.own(dir);
    return dir;
  }

  /** Removes what a test uploaded, so every repetition starts from the same tree. */
  remove(name: string): void {
    fs.rmSync(this.path(name), { recursive: true, force: true });
  }

  private own(file: string): void {
    fs.chownSync(file, this.owner.uid, this.owner.gid);
  }
}

/** Random bytes, fresh for every 4 MiB, so that no layer can compress or deduplicate them. */
export function writeRandomFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let left = bytes; left > 0;) {
      const chunk = randomBytes(Math.min(left, 4 * MiB));
      fs.writeSync(fd, chunk);
      left -= chunk.length;
    }
  } finally {
    fs.closeSync(fd);
  }
}
