/**
 * LocalStorage's upload temporaries: hidden files named like
 * `.sockftp-<hex>.tmp` beside their target, never listed and never complete
 * until renamed; and the start-up sweep of those a crash left behind.
 * Symlinks are not followed, and the walk is bounded by an entry count.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

const TEMP_NAME_PATTERN = /^\.sockftp-[0-9a-f]{16}\.tmp$/;

export function isTempName(name: string): boolean {
  return TEMP_NAME_PATTERN.test(name);
}

export function newTempName(): string {
  return `.sockftp-${randomBytes(8).toString('hex')}.tmp`;
}

export interface SweepResult {
  readonly removed: number;
  /** False when the entry limit stopped the walk before the end of the tree. */
  readonly complete: boolean;
}

export async function removeTemporaries(root: string, maxEntries = 1_000_000, olderThan = Date.now()): Promise<SweepResult> {
  const pending = [root];
  let seen = 0;
  let removed = 0;
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let handle;
    try {
      handle = await fs.opendir(dir, { bufferSize: 256 });
    } catch {
      continue;
    }
    for await (const entry of handle) {
      if (++seen > maxEntries) return { removed, complete: false };
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile() && isTempName(entry.name) && (await removeIfOlder(full, olderThan))) removed++;
    }
  }
  return { removed, complete: true };
}

/** Another sockftp process may be writing a temporary right now; only ones untouched since our start are leftovers. */
async function removeIfOlder(file: string, olderThan: number): Promise<boolean> {
  try {
    const stats = await fs.lstat(file);
    if (stats.mtimeMs >= olderThan) return false;
    await fs.unlink(file);
    return true;
  } catch {
    return false;
  }
}
