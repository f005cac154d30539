/**
 * The shell's commands, one row each: the original seven (ls, rm, download,
 * upload, size, byebye, connme) and cd, pwd, mkdir, rmdir, mv, help.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientError, type FtpClient, type RemoteEntry } from '../FtpClient.js';
import { freeName } from '../../protocol/freeName.js';
import type { Lang, Messages } from './messages.js';

export interface ShellContext {
  readonly msg: Messages;
  readonly lang: Lang;
  print(line: string): void;
  /** The open connection; throws "not connected" after a failure closed it. */
  client(): FtpClient;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Ends the shell after this command. */
  stop(): void;
}

/** A failure whose line is already the whole message, such as "File Tidak Ditemukan". */
export class CommandFailed extends Error {}

export interface ShellCommand {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly usage: string;
  readonly help: Readonly<Record<Lang, string>>;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Single-letter flags this command accepts. */
  readonly flags?: string;
  run(ctx: ShellContext, args: string[], flags: ReadonlySet<string>): Promise<void>;
}

const rows: ShellCommand[] = [
  {
    name: 'ls',
    usage: 'ls [DIR]',
    help: { en: 'list a remote directory', id: 'tampilkan isi direktori di server' },
    minArgs: 0,
    maxArgs: 1,
    async run(ctx, [dir]) {
      const entries = await ctx.client().list(dir ?? '');
      if (entries.length === 0) ctx.print(ctx.msg.empty());
      for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) ctx.print(formatEntry(e));
    },
  },
  {
    name: 'rm',
    usage: 'rm FILE',
    help: { en: 'delete a remote file', id: 'hapus file di server' },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx, [name]) {
      const client = ctx.client();
      try {
        await client.remove(name!);
      } catch (err) {
        // 550 means "not found" on some servers and "not allowed" on others: look before saying which.
        if (err instanceof ClientError && err.replyCode === 550 && !(await remoteExists(client, name!))) {
          throw new CommandFailed(ctx.msg.notFound(name!));
        }
        throw err;
      }
      ctx.print(ctx.msg.deleted(name!));
    },
  },
  {
    name: 'download',
    usage: 'download [-f|-c] FILE [LOCAL]',
    help: {
      en: 'download a file; keeps an existing local file (-f replaces it, -c resumes it)',
      id: 'unduh file; file lokal yang sudah ada tidak ditimpa (-f menimpa, -c melanjutkan)',
    },
    minArgs: 1,
    maxArgs: 2,
    flags: 'fc',
    async run(ctx, [remote, local], flags) {
      const wanted = local ?? path.posix.basename(remote!);
      const { name, bytes } = await download(ctx.client(), remote!, wanted, flags);
      ctx.print(ctx.msg.downloaded(name, bytes, wanted));
    },
  },
  {
    name: 'upload',
    usage: 'upload [-f|-c] FILE [REMOTE]',
    help: {
      en: 'upload a file; never replaces a remote file (-f replaces it, -c resumes it)',
      id: 'unggah file; file di server tidak ditimpa (-f menimpa, -c melanjutkan)',
    },
    minArgs: 1,
    maxArgs: 2,
    flags: 'fc',
    async run(ctx, [local, remote], flags) {
      const wanted = remote ?? path.basename(local!);
      const { name, bytes } = await upload(ctx.client(), local!, wanted, flags);
      ctx.print(ctx.msg.uploaded(path.posix.basename(name), bytes, path.posix.basename(wanted)));
    },
  },
  {
    name: 'size',
    usage: 'size FILE',
    help: { en: 'size of a remote file in MB and bytes', id: 'ukuran file di server dalam MB dan byte' },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx, [name]) {
      ctx.print(ctx.msg.size(await ctx.client().size(name!)));
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
    async run(ctx, [dir]) {
      await ctx.client().cd(dir!);
      ctx.print(ctx.msg.changedDir(await ctx.client().pwd()));
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
    async run(ctx, [dir]) {
      await ctx.client().mkdir(dir!);
      ctx.print(ctx.msg.madeDir(dir!));
    },
  },
  {
    name: 'rmdir',
    usage: 'rmdir DIR',
    help: { en: 'remove an empty remote directory', id: 'hapus direktori kosong di server' },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx, [dir]) {
      await ctx.client().rmdir(dir!);
      ctx.print(ctx.msg.removedDir(dir!));
    },
  },
  {
    name: 'mv',
    usage: 'mv FROM TO',
    help: { en: 'rename or move a remote file', id: 'ganti nama atau pindahkan file di server' },
    minArgs: 2,
    maxArgs: 2,
    async run(ctx, [from, to]) {
      await ctx.client().rename(from!, to!);
      ctx.print(ctx.msg.renamed(from!, to!));
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

function formatEntry(e: RemoteEntry): string {
  const size = e.type === 'dir' ? '<DIR>' : String(e.size);
  // A Unix LIST line's time has no year or zone to convert, so it is shown as the server wrote it.
  const when = e.modifiedAt ? formatLocalTime(e.modifiedAt) : e.modifiedText.slice(0, 16).padEnd(16);
  return `${size.padStart(12)}  ${when}  ${e.name}${e.type === 'dir' ? '/' : ''}`;
}

function formatLocalTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

async function remoteExists(client: FtpClient, remotePath: string): Promise<boolean> {
  const names = await client.names(path.posix.dirname(remotePath)).catch(() => new Set<string>());
  return names.has(path.posix.basename(remotePath));
}

/** Uploads under the wanted name, or the next free one unless -f; -c appends what is missing remotely. */
async function upload(client: FtpClient, local: string, wanted: string, flags: ReadonlySet<string>): Promise<{ name: string; bytes: number }> {
  const stats = fs.statSync(local, { throwIfNoEntry: false });
  if (!stats?.isFile()) throw new ClientError(`${local}: no such local file`);
  if (flags.has('c')) {
    const done = await client.size(wanted).catch(() => 0);
    if (done > stats.size) throw new ClientError(`${wanted}: the remote file is larger than ${local}`);
    return { name: wanted, bytes: done === stats.size ? 0 : await client.upload(local, wanted, done) };
  }
  let name = wanted;
  if (!flags.has('f')) {
    const dir = path.posix.dirname(wanted);
    const taken = await client.names(dir === '.' ? '' : dir);
    const free = await freeName(path.posix.basename(wanted), (n) => taken.has(n));
    name = dir === '.' ? free : path.posix.join(dir, free);
  }
  return { name, bytes: await client.upload(local, name) };
}

/**
 * Downloads into "NAME.part" and renames it to NAME once complete, so a cut
 * download never looks finished. Without -f an existing NAME is kept and the
 * next free name used; -c continues NAME.part, or NAME, from where it stopped.
 */
async function download(client: FtpClient, remote: string, wanted: string, flags: ReadonlySet<string>): Promise<{ name: string; bytes: number }> {
  let name = wanted;
  let startAt = 0;
  if (flags.has('c')) {
    const part = `${wanted}.part`;
    if (!fs.existsSync(part) && fs.existsSync(wanted)) fs.renameSync(wanted, part);
    startAt = fs.statSync(part, { throwIfNoEntry: false })?.size ?? 0;
    const total = await client.size(remote);
    if (startAt > total) throw new ClientError(`${wanted}: the local file is larger than ${remote}`);
  } else if (!flags.has('f')) {
    name = await freeName(wanted, (n) => fs.existsSync(n));
  }
  const part = `${name}.part`;
  let bytes: number;
  try {
    bytes = await client.download(remote, part, startAt);
  } catch (err) {
    // A download refused before any byte came (550) leaves no empty .part behind; a cut one stays for -c.
    if (fs.statSync(part, { throwIfNoEntry: false })?.size === 0) fs.rmSync(part);
    throw err;
  }
  fs.renameSync(part, name);
  return { name, bytes };
}
