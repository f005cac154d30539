/**
 * Files and folders as one zip, streamed as it is made: yazl writes each
 * entry when its turn comes, opening the file only then (addReadStreamLazy),
 * so a folder of 10,000 files holds one open file and no temporary copy.
 * Entries are stored, not deflated: the fastest, and most of what people
 * download (photos, video, archives) is compressed already. ZIP64 comes by
 * itself past 4 GiB. Folders are walked through FileOperations, so a zip
 * holds only what the account may read.
 */
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import type { FileOperations } from '../core/FileOperations.js';
import { baseName, joinVirtual } from '../core/virtualPath.js';

export interface ZipItem {
  /** Its path for FileOperations. */
  readonly path: string;
  readonly type: 'file' | 'dir';
  readonly mtime: Date;
  readonly size: number;
}

/** Writes the zip of `items` (each under its own name at the top of the zip) into `out`, through `through` (a counter); rejects if anything fails midway. */
export async function writeZip(
  files: FileOperations,
  items: readonly ZipItem[],
  out: Writable,
  signal: AbortSignal,
  through: (source: AsyncIterable<Buffer>) => AsyncIterable<Buffer> = (source) => source,
): Promise<void> {
  const zip = new yazl.ZipFile();
  const written = pipeline(zip.outputStream as Readable, through, out, { signal });
  const failed = new Promise<never>((_, reject) => zip.once('error', reject));
  const walk = async () => {
    for (const item of items) await add(files, zip, item, baseName(item.path), signal);
    zip.end();
  };
  await Promise.race([Promise.all([written, walk()]), failed]);
}

async function add(files: FileOperations, zip: yazl.ZipFile, item: ZipItem, name: string, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (item.type === 'file') {
    zip.addReadStreamLazy(name, { mtime: item.mtime, compress: false, size: item.size }, (done) => {
      files.openRead(item.path).then(
        ({ stream }) => done(null, stream),
        (err: unknown) => done(err, undefined as never),
      );
    });
    return;
  }
  // The top folder itself ("/", named "") has no entry: its contents are the zip's top level.
  if (name !== '') zip.addEmptyDirectory(name, { mtime: item.mtime });
  const { listing } = await files.listing(item.path);
  if (listing.kind !== 'dir') return;
  const children: ZipItem[] = [];
  for await (const page of listing.pages)
    for (const entry of page)
      if (entry.type === 'file' || entry.type === 'dir')
        children.push({ path: joinVirtual(item.path, entry.name), type: entry.type, mtime: entry.mtime, size: entry.size });
  children.sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const child of children) await add(files, zip, child, name === '' ? baseName(child.path) : `${name}/${baseName(child.path)}`, signal);
}
