/**
 * Putting the machine in the same state before each measurement, so that the
 * page cache, not the order of the servers, decides nothing.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiB } from './paths.js';

const BUFFER = Buffer.allocUnsafe(MiB);
const SCRATCH_CONTENT = randomBytes(MiB);

/** Reads a whole file and drops the bytes (`cat FILE > /dev/null`): an idle machine evicts cached fixtures. */
export function readThrough(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    while (fs.readSync(fd, BUFFER, 0, BUFFER.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes and deletes a scratch file of `bytes` in `dir`. This VM hands free
 * memory back to its host, and writing 1 GiB into page cache that must first
 * be fetched back runs at a fraction of the normal speed; memory that was
 * just used is at hand again. Random content, so nothing can share the pages.
 */
export function useFreshMemory(dir: string, bytes: number): void {
  const scratch = path.join(dir, 'scratch.bin');
  const fd = fs.openSync(scratch, 'w');
  try {
    for (let left = bytes; left > 0; left -= SCRATCH_CONTENT.length) {
      fs.writeSync(fd, SCRATCH_CONTENT, 0, Math.min(left, SCRATCH_CONTENT.length));
    }
  } finally {
    fs.closeSync(fd);
    // Deleted before writeback, so the disk never sees it.
    fs.rmSync(scratch);
  }
}

/** Reads a directory and the metadata of every entry, as a listing will. */
export function readDirectoryThrough(dir: string): void {
  for (const name of fs.readdirSync(dir)) fs.lstatSync(path.join(dir, name));
}
