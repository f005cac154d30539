/**
 * Tab completion: command names first, then remote or local names for the
 * arguments that take them, as each command's row says. Remote names come
 * from a listing of the directory being completed, kept until the next
 * command runs (any command may change the remote side: cd, upload, rm, mv).
 * Directories complete with a "/" so Tab can go on into them; spaces and
 * quotes in a name are escaped with a backslash, as the shell reads them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FtpClient, RemoteEntry } from '../FtpClient.js';
import { splitFlags, splitWords } from './parseLine.js';

/** What an argument names, for completion. */
export type ArgKind = 'remote' | 'local';

export interface Completable {
  readonly complete?: readonly ArgKind[];
  readonly flags?: readonly string[];
}

interface Name {
  readonly name: string;
  readonly dir: boolean;
}

export class Completer {
  private readonly listings = new Map<string, Promise<RemoteEntry[]>>();
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly commands: ReadonlyMap<string, Completable>,
    /** The connection to list with, or null while a command runs or none is open. */
    private readonly remote: () => FtpClient | null,
  ) {}

  /** Forgets the cached listings: called after every command. */
  forget(): void {
    this.listings.clear();
  }

  /** Resolves once no listing started by a completion is running: the connection runs one command at a time. */
  async idle(): Promise<void> {
    await this.running.catch(() => undefined);
  }

  /** readline's completer: the candidates for the word before the cursor, and that word as typed. */
  async complete(line: string): Promise<[string[], string]> {
    const { before, partial } = lastWord(line);
    if (before === null) return [[], partial];
    if (before.length === 0) return [[...this.commands.keys()].filter((n) => n.startsWith(partial)).sort(), partial];
    const command = this.commands.get(before[0].toLowerCase());
    const { args } = command?.flags ? splitFlags(before.slice(1)) : { args: before.slice(1) };
    const kind = command?.complete?.[args.length];
    if (kind === undefined || partial.startsWith('-')) return [[], partial];
    const typed = unescape(partial);
    const slash = typed.lastIndexOf('/');
    const dir = typed.slice(0, slash + 1);
    const prefix = typed.slice(slash + 1);
    const names = await (kind === 'remote' ? this.remoteNames(dir) : localNames(dir)).catch((): Name[] => []);
    const hits = names
      .filter((n) => n.name.startsWith(prefix) && (prefix.startsWith('.') || !n.name.startsWith('.')))
      .map((n) => escape(dir + n.name) + (n.dir ? '/' : ''))
      .sort();
    return [hits, partial];
  }

  private async remoteNames(dir: string): Promise<Name[]> {
    let listing = this.listings.get(dir);
    if (!listing) {
      const client = this.remote();
      if (!client) return [];
      listing = client.list(dir);
      this.listings.set(dir, listing);
      this.running = listing;
      // A listing that failed is not kept: the next Tab asks again.
      listing.catch(() => this.listings.delete(dir));
    }
    return (await listing).map((e) => ({ name: e.name, dir: e.type === 'dir' }));
  }
}

async function localNames(dir: string): Promise<Name[]> {
  const entries = await fs.promises.readdir(dir === '' ? '.' : dir, { withFileTypes: true });
  return entries.map((e) => ({
    name: e.name,
    dir: e.isDirectory() || (e.isSymbolicLink() && fs.statSync(path.join(dir, e.name), { throwIfNoEntry: false })?.isDirectory() === true),
  }));
}

/**
 * The words before the word being completed (null inside an unclosed
 * quote), and that word as typed. Only whole words before a space count.
 */
function lastWord(line: string): { before: string[] | null; partial: string } {
  let start = 0;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '\\') i++;
    else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === ' ' || ch === '\t') start = i + 1;
  }
  const partial = line.slice(start);
  // A quoted partial word is left alone: completion writes backslash escapes, which do not mix with quotes.
  if (quote || partial.startsWith('"') || partial.startsWith("'")) return { before: null, partial };
  return { before: splitWords(line.slice(0, start)), partial };
}

function escape(name: string): string {
  return name.replace(/[\s"'\\]/g, '\\$&');
}

function unescape(word: string): string {
  return word.replace(/\\(.)/g, '$1');
}
