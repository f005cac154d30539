/**
 * The files and directories below a remote or a local directory, for
 * `download -r` and `upload -r`: relative "/"-separated paths, parents
 * before their children. Symbolic links to directories are not followed
 * locally, so a link loop cannot make a tree endless.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FtpClient } from './FtpClient.js';

export interface TreeFile {
  readonly path: string;
  readonly size: number;
}

export interface Tree {
  readonly dirs: readonly string[];
  readonly files: readonly TreeFile[];
}

interface Child {
  readonly name: string;
  readonly kind: 'dir' | 'file' | 'other';
  readonly size: number;
}

export function remoteTree(client: FtpClient, root: string, signal?: AbortSignal): Promise<Tree> {
  return walk(async (relative) =>
    (await client.list(path.posix.join(root, relative), signal)).map((e) => ({
      name: e.name,
      // A link is fetched as what it points to; a link to a directory then fails alone, with its own line.
      kind: e.type === 'dir' ? 'dir' : e.type === 'other' ? 'other' : 'file',
      size: e.size,
    })),
  );
}

export function localTree(root: string): Promise<Tree> {
  return walk(async (relative) =>
    (await fs.promises.readdir(path.join(root, relative), { withFileTypes: true })).map((e) => {
      const stats = e.isSymbolicLink() || e.isFile() ? fs.statSync(path.join(root, relative, e.name), { throwIfNoEntry: false }) : null;
      return { name: e.name, kind: e.isDirectory() ? 'dir' : stats?.isFile() ? 'file' : 'other', size: stats?.size ?? 0 };
    }),
  );
}

/** Breadth first from "", listing each directory once with `read`. */
async function walk(read: (relative: string) => Promise<Child[]>): Promise<Tree> {
  const dirs: string[] = [];
  const files: TreeFile[] = [];
  for (let pending = ['']; pending.length > 0;) {
    const relative = pending.shift()!;
    for (const child of await read(relative)) {
      const childPath = relative === '' ? child.name : `${relative}/${child.name}`;
      if (child.kind === 'dir') {
        dirs.push(childPath);
        pending.push(childPath);
      } else if (child.kind === 'file') files.push({ path: childPath, size: child.size });
    }
  }
  return { dirs, files };
}
