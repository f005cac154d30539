/** Directory listings: LIST and NLST (RFC 959), MLSD and MLST (RFC 3659 7). */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mlsxPerm } from '../../auth/permissions.js';
import { badArgument, FileError } from '../../core/errors.js';
import { splitListArgs } from '../protocol/commandLine.js';
import { formatListLine, formatMlsxLine, isListableName } from '../protocol/listing.js';
import { Reply } from '../protocol/replies.js';
import type { FileInfo } from '../../core/FileInfo.js';
import type { Session } from '../Session.js';
import { runTransfer } from '../transfer.js';

export async function LIST(s: Session, arg: string): Promise<void> {
  const now = new Date();
  await sendListing(s, listPath(arg), (info) => formatListLine(info, now));
}

export async function NLST(s: Session, arg: string): Promise<void> {
  await sendListing(s, listPath(arg), (info) => info.name);
}

/**
 * The path of a LIST or NLST, its ls-style options ignored, except -R: a flat
 * listing sent for a recursive one would look complete to the client and is not.
 */
function listPath(arg: string): string {
  const { options, path } = splitListArgs(arg);
  if (options.includes('R')) throw badArgument('Recursive listings (-R) are not supported: list each directory');
  return path;
}

export async function MLSD(s: Session, arg: string): Promise<void> {
  const { path, listing } = await s.files.listing(arg);
  // RFC 3659 7.2.1: MLSD of something that is not a directory is an error.
  if (listing.kind !== 'dir') throw new FileError('NOT_DIR', `${path}: Not a directory`);
  const { info: dir, pages: entries } = listing;
  const perms = s.files.account.permissions;
  const facts = s.mlstFacts;
  const parent = await s.files.parentInfo(path);
  async function* pages(): AsyncIterable<string[]> {
    // RFC 3659 7.5.1: the listed directory is "cdir", its parent "pdir" (none above the root).
    const self = [formatMlsxLine({ ...dir, name: '.' }, facts, mlsxPerm('dir', perms), 'cdir')];
    if (parent) self.push(formatMlsxLine({ ...parent, name: '..' }, facts, mlsxPerm('dir', perms), 'pdir'));
    yield self;
    for await (const page of entries) {
      yield page.filter((info) => isListableName(info.name)).map((info) => formatMlsxLine(info, facts, mlsxPerm(info.type, perms)));
    }
  }
  await sendPages(s, path, pages());
}

export async function MLST(s: Session, arg: string): Promise<void> {
  const { path, info } = await s.files.stat(arg.trim());
  const line = formatMlsxLine({ ...info, name: path }, s.mlstFacts, mlsxPerm(info.type, s.files.account.permissions));
  s.reply(Reply.FileActionOk, [`Listing ${path}`, line, 'End']);
}

/** The lines LIST or NLST (and STAT with a path) show for a path, a page at a time: its entries, or the path itself if it is a file. */
export async function* listingPages(s: Session, arg: string, format: (info: FileInfo) => string): AsyncIterable<string[]> {
  const { listing } = await s.files.listing(arg);
  if (listing.kind !== 'dir') {
    yield [format({ ...listing.info, name: arg })];
    return;
  }
  for await (const page of listing.pages) yield page.filter((info) => isListableName(info.name)).map(format);
}

async function sendListing(s: Session, arg: string, format: (info: FileInfo) => string): Promise<void> {
  const pages = listingPages(s, arg, format)[Symbol.asyncIterator]();
  // The first page is read before 150, so "no such directory" is a plain 550 without a data connection.
  const first = await pages.next();
  async function* all(): AsyncIterable<string[]> {
    if (!first.done) yield first.value;
    for (let next = await pages.next(); !next.done; next = await pages.next()) yield next.value;
  }
  await sendPages(s, s.files.resolve(arg), all());
}

function sendPages(s: Session, path: string, pages: AsyncIterable<string[]>): Promise<void> {
  const source = Readable.from(pageText(pages), { objectMode: false });
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

/** One write per page of entries (a few hundred lines), so a listing of 10,000 entries is a few dozen writes. */
async function* pageText(pages: AsyncIterable<string[]>): AsyncIterable<string> {
  for await (const page of pages) if (page.length > 0) yield page.join('\r\n') + '\r\n';
}
