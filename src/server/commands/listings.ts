/** Directory listings: LIST and NLST (RFC 959), MLSD and MLST (RFC 3659 7). */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mlsxPerm } from '../../auth/permissions.js';
import { FtpError } from '../../errors.js';
import { splitListArgs } from '../../protocol/commandLine.js';
import { formatListLine, formatMlsxLine, isListableName } from '../../protocol/listing.js';
import { Reply } from '../../protocol/replies.js';
import { parentOf } from '../../protocol/virtualPath.js';
import type { FileInfo } from '../../storage/Storage.js';
import type { Session } from '../Session.js';
import { runTransfer } from '../transfer.js';

/** Listing lines are gathered into chunks of about this size before they are written. */
const LISTING_CHUNK_CHARS = 64 * 1024;

export async function LIST(s: Session, arg: string): Promise<void> {
  const now = new Date();
  await sendListing(s, splitListArgs(arg).path, (info) => formatListLine(info, now));
}

export async function NLST(s: Session, arg: string): Promise<void> {
  await sendListing(s, splitListArgs(arg).path, (info) => info.name);
}

export async function MLSD(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  s.requirePermission('read', path);
  const dir = await s.storage.stat(path);
  // RFC 3659 7.2.1: MLSD of something that is not a directory is an error.
  if (dir.type !== 'dir') throw new FtpError('FTP_ERR_NOT_DIR', `${path}: Not a directory`);
  const perms = s.account!.permissions;
  const facts = s.mlstFacts;
  const parent = path === '/' ? null : await s.storage.stat(parentOf(path));
  async function* lines(): AsyncIterable<string> {
    // RFC 3659 7.5.1: the listed directory is "cdir", its parent "pdir" (none above the root).
    yield formatMlsxLine({ ...dir, name: '.' }, facts, mlsxPerm('dir', perms), 'cdir');
    if (parent) yield formatMlsxLine({ ...parent, name: '..' }, facts, mlsxPerm('dir', perms), 'pdir');
    for await (const info of s.storage.list(path)) {
      if (isListableName(info.name)) yield formatMlsxLine(info, facts, mlsxPerm(info.type, perms));
    }
  }
  await sendLines(s, path, lines());
}

export async function MLST(s: Session, arg: string): Promise<void> {
  const path = arg.trim() === '' ? s.cwd : s.resolvePath(arg);
  s.requirePermission('read', path);
  const info = await s.storage.stat(path);
  const line = formatMlsxLine({ ...info, name: path }, s.mlstFacts, mlsxPerm(info.type, s.account!.permissions));
  s.reply(Reply.FileActionOk, [`Listing ${path}`, line, 'End']);
}

/** The lines LIST or NLST (and STAT with a path) show for a path: its entries, or the path itself if it is a file. */
export async function* listingLines(s: Session, arg: string, format: (info: FileInfo) => string): AsyncIterable<string> {
  const path = arg === '' ? s.cwd : s.resolvePath(arg);
  s.requirePermission('read', path);
  const target = await s.storage.stat(path);
  if (target.type !== 'dir') {
    yield format({ ...target, name: arg });
    return;
  }
  for await (const info of s.storage.list(path)) {
    if (isListableName(info.name)) yield format(info);
  }
}

async function sendListing(s: Session, arg: string, format: (info: FileInfo) => string): Promise<void> {
  const lines = listingLines(s, arg, format)[Symbol.asyncIterator]();
  // The first entry is read before 150, so "no such directory" is a plain 550 without a data connection.
  const first = await lines.next();
  async function* all(): AsyncIterable<string> {
    if (!first.done) yield first.value;
    for (let next = await lines.next(); !next.done; next = await lines.next()) yield next.value;
  }
  await sendLines(s, arg === '' ? s.cwd : s.resolvePath(arg), all());
}

function sendLines(s: Session, path: string, lines: AsyncIterable<string>): Promise<void> {
  const source = Readable.from(chunkLines(lines), { objectMode: false });
  return runTransfer(s, {
    path,
    direction: 'listing',
    opening: `Here comes the listing of ${path}`,
    run: (socket, signal) => pipeline(source, socket, { signal }),
    abort: async () => {
      source.destroy();
    },
  });
}

/** Joins lines with CRLF into chunks, so a listing of 10,000 entries is a few writes, not 10,000. */
async function* chunkLines(lines: AsyncIterable<string>): AsyncIterable<string> {
  let chunk = '';
  for await (const line of lines) {
    chunk += line + '\r\n';
    if (chunk.length >= LISTING_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
