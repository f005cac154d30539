/**
 * The shell's commands, one row each: the original seven (ls, rm, download,
 * upload, size, byebye, connme), the remote cd, pwd, mkdir, rmdir and mv,
 * the local lls, lcd and lpwd, open and close, and help.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toClientError } from '../ClientError.js';
import type { RemoteEntry } from '../FtpClient.js';
import type { ArgKind } from './completion.js';
import type { Lang } from './messages.js';
import { entryLines } from './entryLines.js';
import type { ShellContext } from './ShellContext.js';
import { download, remove, upload } from './transferCommands.js';

export interface ShellCommand {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly usage: string;
  readonly help: Readonly<Record<Lang, string>>;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Flags this command accepts: letters (-f) and words (--verify). */
  readonly flags?: readonly string[];
  /** What each argument names, for Tab completion. */
  readonly complete?: readonly ArgKind[];
  run(ctx: ShellContext, args: string[], flags: ReadonlySet<string>): Promise<void>;
}

const rows: ShellCommand[] = [
  {
    name: 'ls',
    usage: 'ls [DIR]',
    help: { en: 'list a remote directory', id: 'tampilkan isi direktori di server' },
    minArgs: 0,
    maxArgs: 1,
    complete: ['remote'],
    async run(ctx, [dir]) {
      printEntries(ctx, await ctx.client().list(dir ?? '', ctx.signal));
    },
  },
  {
    name: 'rm',
    usage: 'rm FILE',
    help: { en: 'delete a remote file (or *.tmp)', id: 'hapus file di server (atau *.tmp)' },
    minArgs: 1,
    maxArgs: 1,
    complete: ['remote'],
    run: remove,
  },
  {
    name: 'download',
    usage: 'download [-f|-c] [-r] [--verify] FILE [LOCAL]',
    help: {
      en: 'download a file (or -r a tree, or *.log); keeps an existing local file (-f replaces it, -c resumes it)',
      id: 'unduh file (atau -r direktori, atau *.log); file lokal yang sudah ada tidak ditimpa (-f menimpa, -c melanjutkan)',
    },
    minArgs: 1,
    maxArgs: 2,
    flags: ['f', 'c', 'r', 'verify'],
    complete: ['remote', 'local'],
    run: download,
  },
  {
    name: 'upload',
    usage: 'upload [-f|-c] [-r] [--verify] FILE [REMOTE]',
    help: {
      en: 'upload a file (or -r a tree, or *.txt); never replaces a remote file (-f replaces it, -c resumes it)',
      id: 'unggah file (atau -r direktori, atau *.txt); file di server tidak ditimpa (-f menimpa, -c melanjutkan)',
    },
    minArgs: 1,
    maxArgs: 2,
    flags: ['f', 'c', 'r', 'verify'],
    complete: ['local', 'remote'],
    run: upload,
  },
  {
    name: 'size',
    usage: 'size FILE',
    help: { en: 'size of a remote file in MB and bytes', id: 'ukuran file di server dalam MB dan byte' },
    minArgs: 1,
    maxArgs: 1,
    complete: ['remote'],
    async run(ctx, [name]) {
      ctx.print(ctx.msg.size(await ctx.client().size(name)));
    },
  },
  {
    name: 'byebye',
    aliases: ['quit', 'exit', 'bye'],
    usage: 'byebye',
    help: { en: 'close the connection and quit', id: 'tutup koneksi dan keluar' },
    minArgs: 0,
    maxArgs: 0,
    async run(ctx) {
      await ctx.disconnect();
      ctx.print(ctx.msg.bye());
      ctx.stop();
    },
  },
  {
    name: 'connme',
    usage: 'connme',
    help: { en: 'close the connection and open a new one', id: 'tutup koneksi dan buka koneksi baru' },
    minArgs: 0,
    maxArgs: 0,
    async run(ctx) {
      await ctx.disconnect();
      ctx.print(ctx.msg.connectionClosed());
      await ctx.connect();
    },
  },
  {
    name: 'cd',
    usage: 'cd DIR',
    help: { en: 'change the remote directory', id: 'pindah direktori di server' },
    minArgs: 1,
    maxArgs: 1,
    complete: ['remote'],
    async run(ctx, [dir]) {
      ctx.print(ctx.msg.changedDir(await ctx.client().cd(dir)));
    },
  },
  {
    name: 'pwd',
    usage: 'pwd',
    help: { en: 'print the remote directory', id: 'tampilkan direktori di server' },
    minArgs: 0,
    maxArgs: 0,
    async run(ctx) {
      ctx.print(await ctx.client().pwd());
    },
  },
  {
    name: 'mkdir',
    usage: 'mkdir DIR',
    help: { en: 'make a remote directory', id: 'buat direktori di server' },
    minArgs: 1,
    maxArgs: 1,
    complete: ['remote'],
    async run(ctx, [dir]) {
      await ctx.client().mkdir(dir);
      ctx.print(ctx.msg.madeDir(dir));
    },
  },
  {
    name: 'rmdir',
    usage: 'rmdir DIR',
    help: { en: 'remove an empty remote directory', id: 'hapus direktori kosong di server' },
    minArgs: 1,
    maxArgs: 1,
    complete: ['remote'],
    async run(ctx, [dir]) {
      await ctx.client().rmdir(dir);
      ctx.print(ctx.msg.removedDir(dir));
    },
  },
  {
    name: 'mv',
    usage: 'mv FROM TO',
    help: { en: 'rename or move a remote file', id: 'ganti nama atau pindahkan file di server' },
    minArgs: 2,
    maxArgs: 2,
    complete: ['remote', 'remote'],
    async run(ctx, [from, to]) {
      await ctx.client().rename(from, to);
      ctx.print(ctx.msg.renamed(from, to));
    },
  },
  {
    name: 'lls',
    usage: 'lls [DIR]',
    help: { en: 'list a local directory', id: 'tampilkan isi direktori lokal' },
    minArgs: 0,
    maxArgs: 1,
    complete: ['local'],
    async run(ctx, [dir]) {
      printEntries(ctx, localEntries(dir ?? '.'));
    },
  },
  {
    name: 'lcd',
    usage: 'lcd [DIR]',
    help: { en: 'change the local directory (default: home)', id: 'pindah direktori lokal (bawaan: home)' },
    minArgs: 0,
    maxArgs: 1,
    complete: ['local'],
    async run(ctx, [dir]) {
      const target = dir ?? os.homedir();
      try {
        process.chdir(target);
      } catch (err) {
        throw toClientError(err, { local: target });
      }
      ctx.print(ctx.msg.localDir(process.cwd()));
    },
  },
  {
    name: 'lpwd',
    usage: 'lpwd',
    help: { en: 'print the local directory', id: 'tampilkan direktori lokal' },
    minArgs: 0,
    maxArgs: 0,
    async run(ctx) {
      ctx.print(process.cwd());
    },
  },
  {
    name: 'open',
    usage: 'open HOST[:PORT]|URL',
    help: {
      en: 'connect to another server (ftp://user@host:port, ftps://...)',
      id: 'sambung ke server lain (ftp://user@host:port, ftps://...)',
    },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx, [target]) {
      await ctx.open(target);
    },
  },
  {
    name: 'close',
    usage: 'close',
    help: { en: 'close the connection and stay in the shell', id: 'tutup koneksi dan tetap di shell' },
    minArgs: 0,
    maxArgs: 0,
    async run(ctx) {
      await ctx.disconnect();
      ctx.print(ctx.msg.connectionClosed());
    },
  },
  {
    name: 'help',
    usage: 'help',
    help: { en: 'this list', id: 'daftar ini' },
    minArgs: 0,
    maxArgs: 1,
    async run(ctx) {
      ctx.print(ctx.msg.helpHeader());
      const width = Math.max(...rows.map((r) => r.usage.length));
      for (const row of rows) ctx.print(`  ${row.usage.padEnd(width)}  ${row.help[ctx.lang]}`);
    },
  },
];

export const SHELL_COMMANDS: ReadonlyMap<string, ShellCommand> = new Map(
  rows.flatMap((row) => [row.name, ...(row.aliases ?? [])].map((name) => [name, row] as const)),
);

function printEntries(ctx: ShellContext, entries: readonly RemoteEntry[]): void {
  for (const line of entryLines(entries, ctx.msg)) ctx.print(line);
}

/** A local directory in the shape of a remote listing, so lls prints as ls does. */
function localEntries(dir: string): RemoteEntry[] {
  try {
    return fs.readdirSync(dir).map((name) => {
      const stats = fs.statSync(path.join(dir, name), { throwIfNoEntry: false });
      const type = stats?.isDirectory() ? 'dir' : stats?.isFile() ? 'file' : 'other';
      return { name, type, size: stats?.size ?? 0, modifiedAt: stats?.mtime ?? null, modifiedText: '' };
    });
  } catch (err) {
    throw toClientError(err, { local: dir });
  }
}
