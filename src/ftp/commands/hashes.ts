/**
 * File hashes without a download: HASH with OPTS HASH and RANG
 * (draft-bryan-ftpext-hash-02), and the older XCRC, XMD5, XSHA1, XSHA256,
 * XSHA512 that many clients still send.
 */
import { FileError, badArgument } from '../../core/errors.js';
import type { HashAlgorithm } from '../../core/digests.js';
import { Reply } from '../protocol/replies.js';
import type { Session } from '../Session.js';

export async function HASH(s: Session, arg: string): Promise<void> {
  const { path, size } = await hashable(s, arg);
  const range = s.hashRange;
  // The draft's range is inclusive: the whole of a 100-byte file is "0-99".
  const start = range ? Math.min(range.start, size) : 0;
  const end = range ? Math.min(range.end + 1, size) : size;
  const hex = await s.files.digest(path, s.hashAlgorithm, start, end, size);
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
    const target = await legacyTarget(s, arg);
    const { path, size } = await hashable(s, target.path);
    const to = Math.min(target.end ?? size, size);
    s.reply(Reply.FileActionOk, await s.files.digest(path, algorithm, Math.min(target.start, to), to, size));
  };
}

/** The whole argument names the file if it exists; otherwise trailing numbers are the range. */
async function legacyTarget(s: Session, arg: string): Promise<{ path: string; start: number; end: number | null }> {
  const m = /^(.*?) (\d{1,15})(?: (\d{1,15}))?$/.exec(arg);
  if (!m || (await s.files.exists(arg))) return { path: arg, start: 0, end: null };
  return { path: m[1], start: Number(m[2]), end: m[3] === undefined ? null : Number(m[3]) };
}

async function hashable(s: Session, arg: string): Promise<{ path: string; size: number }> {
  const { path, info } = await s.files.stat(arg);
  // The draft: the hash of a directory is not defined (553).
  if (info.type !== 'file') throw new FileError('INVALID_NAME', `${path}: not a regular file`);
  return { path, size: info.size };
}
