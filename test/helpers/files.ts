/** Temporary directories and big random files, hashed as they are written. */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

export const MiB = 1024 * 1024;

export function tempDir(prefix = 'sockftp-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `bytes` random bytes to `file` and returns their SHA-256. */
export function randomFile(file: string, bytes: number): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'w');
  try {
    for (let left = bytes; left > 0;) {
      const chunk = randomBytes(Math.min(left, 4 * MiB));
      hash.update(chunk);
      fs.writeSync(fd, chunk);
      left -= chunk.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file, { highWaterMark: MiB }), hash);
  return hash.digest('hex');
}

/** Names in a directory that are not upload temporaries, sorted. */
export function visibleNames(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}
