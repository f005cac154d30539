/**
 * File hashes without a download: HASH with OPTS HASH and RANG
 * (draft-bryan-ftpext-hash-02), and the older XCRC, XMD5, XSHA1, XSHA256,
 * XSHA512 that many clients still send.
 */
import { FtpError, badArgument } from '../../errors.js';
import { createDigest, type HashAlgorithm } from '../../protocol/hashes.js';
import { Reply } from '../../protocol/replies.js';
import { exists } from '../../storage/exists.js';
import type { Session } from '../Session.js';

export async function HASH(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  const size = await hashableSize(s, path);
  const range = s.hashRange;
  // The draft's range is inclusive: the whole of a 100-byte file is "0-99".
  const start = range ? Math.min(range.start, size) : 0;
  const end = range ? Math.min(range.end + 1, size) : size;
  const hex = await digestOf(s, path, s.hashAlgorithm, start, end);
  s.reply(Reply.FileStatus, `${s.hashAlgorithm} ${start}-${Math.max(start, end - 1)} ${hex} ${arg}`);
}

/** RANG start end selects the bytes the next HASH covers; "RANG 1 0" selects the whole file again. */
export function RANG(s: Session, arg: string): void {
  const m = /^\s*(\d{1,15})\s+(\d{1,15})\s*$/.exec(arg);
  if (!m) throw badArgument('RANG needs a start and an end offset');
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (start === 1 && end === 0) {
    s.hashRange = null;
    s.reply(Reply.PendingFurtherInfo, 'Whole file selected');
    return;
  }
  if (end < start) throw badArgument('RANG end is before its start');
  s.hashRange = { start, end };
  s.reply(Reply.PendingFurtherInfo, `Restarting at ${start}. Ending byte at ${end}`);
}

export const XCRC = legacyHash('CRC32');
export const XMD5 = legacyHash('MD5');
export const XSHA1 = legacyHash('SHA-1');
export const XSHA256 = legacyHash('SHA-256');
export const XSHA512 = legacyHash('SHA-512');

/** "XSHA256 path [start [end]]": 250 and the hex digest, as ProFTPD's mod_digest answers; end is exclusive. */
function legacyHash(algorithm: HashAlgorithm) {
  return async (s: Session, arg: string): Promise<void> => {
    const { path, start, end } = await legacyTarget(s, arg);
    const size = await hashableSize(s, path);
    const to = Math.min(end ?? size, size);
    s.reply(Reply.FileActionOk, await digestOf(s, path, algorithm, Math.min(start, to), to));
  };
}

/** The whole argument names the file if it exists; otherwise trailing numbers are the range. */
async function legacyTarget(s: Session, arg: string): Promise<{ path: string; start: number; end: number | null }> {
  const whole = s.resolvePath(arg);
  const m = /^(.*?) (\d{1,15})(?: (\d{1,15}))?$/.exec(arg);
  if (!m || (await exists(s.storage, whole))) return { path: whole, start: 0, end: null };
  return { path: s.resolvePath(m[1]!), start: Number(m[2]), end: m[3] === undefined ? null : Number(m[3]) };
}

async function hashableSize(s: Session, path: string): Promise<number> {
  s.requirePermission('read', path);
  const info = await s.storage.stat(path);
  // The draft: the hash of a directory is not defined (553).
  if (info.type !== 'file') throw new FtpError('FTP_ERR_INVALID_NAME', `${path}: not a regular file`);
  return info.size;
}

/** Hashes bytes [start, end) as a TYPE I download would deliver them. */
async function digestOf(s: Session, path: string, algorithm: HashAlgorithm, start: number, end: number): Promise<string> {
  const digest = createDigest(algorithm);
  let left = end - start;
  if (left > 0) {
    const source = await s.storage.openRead(path, start);
    try {
      for await (const chunk of source) {
        const bytes = chunk as Buffer;
        digest.update(bytes.length > left ? bytes.subarray(0, left) : bytes);
        left -= bytes.length;
        if (left <= 0) break;
      }
    } finally {
      source.destroy();
    }
  }
  return digest.hex();
}
