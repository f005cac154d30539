/**
 * The shell's download, upload and rm beyond one plain file: whole trees
 * (-r), wildcards matched against a listing (download *.log, upload *.txt,
 * rm *.tmp), progress bars and --verify. A tree or a wildcard goes on past a
 * file that fails, with one line for it; an interruption or a lost
 * connection stops it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientError, toClientError } from '../ClientError.js';
import type { FtpClient } from '../FtpClient.js';
import { downloadFile, uploadFile, type FileTransferOptions, type ProgressWatcher } from '../fileTransfers.js';
import { hasGlob, splitGlob } from '../glob.js';
import { localTree, remoteTree } from '../trees.js';
import { verifyCopy, type VerifyMethod } from '../verify.js';
import { underBar } from './ProgressBar.js';
import { CommandFailed, type ShellContext } from './ShellContext.js';

export async function download(ctx: ShellContext, [remote, local]: string[], flags: ReadonlySet<string>): Promise<void> {
  const { client, options, verify } = setUp(ctx, flags);
  if (flags.has('r')) return downloadTree(ctx, client, remote, local ?? path.posix.basename(remote), options, verify);
  if (!hasGlob(remote)) return downloadOne(ctx, client, remote, local ?? path.posix.basename(remote), options, verify);
  const matches = await remoteMatches(ctx, client, remote);
  if (matches.length === 0) throw new CommandFailed(ctx.msg.noMatch(remote));
  const into = local ?? '.';
  requireLocalDir(into);
  await eachFile(ctx, client, matches, (match) => downloadOne(ctx, client, match, path.join(into, path.posix.basename(match)), options, verify));
}

export async function upload(ctx: ShellContext, [local, remote]: string[], flags: ReadonlySet<string>): Promise<void> {
  const { client, options, verify } = setUp(ctx, flags);
  if (flags.has('r')) return uploadTree(ctx, client, local, remote ?? path.basename(local), options, verify);
  if (!hasGlob(local)) return uploadOne(ctx, client, local, remote ?? path.basename(local), options, verify);
  const { dir, matcher } = splitGlob(local);
  const entries = fs.readdirSync(dir === '' ? '.' : dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isFile() && matcher.test(e.name)).map((e) => e.name);
  if (names.length === 0) throw new CommandFailed(ctx.msg.noMatch(local));
  await eachFile(ctx, client, names.sort(), (name) =>
    uploadOne(ctx, client, path.join(dir, name), remote === undefined ? name : path.posix.join(remote, name), options, verify),
  );
}

/** rm FILE, or every file a wildcard matches; "not found" is looked up, since 550 also means "not allowed". */
export async function remove(ctx: ShellContext, [name]: string[]): Promise<void> {
  const client = ctx.client();
  if (!hasGlob(name)) return removeOne(ctx, client, name);
  const matches = await remoteMatches(ctx, client, name);
  if (matches.length === 0) throw new CommandFailed(ctx.msg.notFound(name));
  await eachFile(ctx, client, matches, (match) => removeOne(ctx, client, match));
}

/** The remote files a wildcard matches, as paths, sorted. */
async function remoteMatches(ctx: ShellContext, client: FtpClient, pattern: string): Promise<string[]> {
  const { dir, matcher } = splitGlob(pattern);
  const entries = await client.list(dir, ctx.signal);
  return entries
    .filter((e) => e.type === 'file' && matcher.test(e.name))
    .map((e) => path.posix.join(dir, e.name))
    .sort();
}

async function removeOne(ctx: ShellContext, client: FtpClient, name: string): Promise<void> {
  try {
    await client.remove(name);
  } catch (err) {
    if (err instanceof ClientError && err.replyCode === 550 && !(await remoteExists(client, name))) throw new CommandFailed(ctx.msg.notFound(name));
    throw err;
  }
  ctx.print(ctx.msg.deleted(name));
}

async function remoteExists(client: FtpClient, remotePath: string): Promise<boolean> {
  const names = await client.names(path.posix.dirname(remotePath)).catch(() => new Set<string>());
  return names.has(path.posix.basename(remotePath));
}

/** The connection, -f, -c, Ctrl-C and --retries for each file, and whether to verify (--verify here or on connect). */
function setUp(ctx: ShellContext, flags: ReadonlySet<string>): { client: FtpClient; options: FileTransferOptions; verify: boolean } {
  const options = { force: flags.has('f'), resume: flags.has('c'), signal: ctx.signal, retry: ctx.retry };
  return { client: ctx.client(), options, verify: flags.has('verify') || ctx.verify };
}

async function downloadOne(ctx: ShellContext, client: FtpClient, remote: string, wanted: string, options: FileTransferOptions, verify: boolean): Promise<void> {
  const { name, bytes } = await underBar(ctx.progress(), (watcher) => downloadFile(client, remote, wanted, { ...options, watcher }));
  ctx.print(ctx.msg.downloaded(name, bytes, wanted));
  if (verify) ctx.print(ctx.msg.verified(name, await verifyCopy(client, remote, name, ctx.signal)));
}

async function uploadOne(ctx: ShellContext, client: FtpClient, local: string, wanted: string, options: FileTransferOptions, verify: boolean): Promise<void> {
  const { name, bytes } = await underBar(ctx.progress(), (watcher) => uploadFile(client, local, wanted, { ...options, watcher }));
  ctx.print(ctx.msg.uploaded(path.posix.basename(name), bytes, path.posix.basename(wanted)));
  if (verify) ctx.print(ctx.msg.verified(path.posix.basename(name), await verifyCopy(client, name, local, ctx.signal)));
}

/**
 * download -r: the remote tree below `remoteDir` into `localDir`, made as
 * needed; each file keeps the no-clobber rule (-f replaces, -c resumes).
 * One bar for the whole tree.
 */
async function downloadTree(
  ctx: ShellContext,
  client: FtpClient,
  remoteDir: string,
  localDir: string,
  options: FileTransferOptions,
  verify: boolean,
): Promise<void> {
  const tree = await remoteTree(client, remoteDir, ctx.signal);
  for (const dir of ['', ...tree.dirs]) fs.mkdirSync(path.join(localDir, ...dir.split('/')), { recursive: true });
  const progress = treeProgress(ctx, remoteDir, tree.files);
  let bytes = 0;
  let method: VerifyMethod | null = null;
  const failed = await eachFile(ctx, client, tree.files, async (file) => {
    const remote = path.posix.join(remoteDir, file.path);
    const wanted = path.join(localDir, ...file.path.split('/'));
    const result = await downloadFile(client, remote, wanted, { ...options, size: file.size, watcher: progress.watcher(file.path) });
    progress.fileDone(file.size);
    bytes += result.bytes;
    // Only a file saved under another name is worth a line of its own; the summary counts the rest.
    if (result.name !== wanted) ctx.print(ctx.msg.downloaded(result.name, result.bytes, wanted));
    if (verify) method = await verifyCopy(client, remote, result.name, ctx.signal);
  });
  progress.end(failed === 0);
  ctx.print(
    ctx.msg.treeDone({ direction: 'download', files: tree.files.length - failed, bytes, dir: localDir, failed, verified: failed === 0 ? method : null }),
  );
}

/**
 * upload -r: the local tree below `localDir` to `remoteDir`, making the
 * remote directories that are missing. Each remote directory is listed once
 * for the no-clobber rule, not once per file.
 */
async function uploadTree(
  ctx: ShellContext,
  client: FtpClient,
  localDir: string,
  remoteDir: string,
  options: FileTransferOptions,
  verify: boolean,
): Promise<void> {
  requireLocalDir(localDir);
  const tree = await localTree(localDir);
  const known = new Map<string, Set<string>>();
  const namesIn = async (dir: string) => known.get(dir) ?? known.set(dir, await client.names(dir)).get(dir)!;
  const ensureDir = async (dir: string) => {
    const parent = path.posix.dirname(dir);
    const taken = await namesIn(parent === '.' ? '' : parent);
    if (taken.has(path.posix.basename(dir))) return;
    await client.mkdir(dir);
    taken.add(path.posix.basename(dir));
    known.set(dir, new Set());
  };
  const root = path.posix.normalize(remoteDir);
  const top = root === '.' || root === '/' ? [] : root.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/') || '/');
  for (const dir of [...top.filter((d) => d !== '/'), ...tree.dirs.map((d) => path.posix.join(root, d))]) await ensureDir(dir);
  const progress = treeProgress(ctx, localDir, tree.files);
  let bytes = 0;
  let method: VerifyMethod | null = null;
  const failed = await eachFile(ctx, client, tree.files, async (file) => {
    const local = path.join(localDir, ...file.path.split('/'));
    const wanted = path.posix.join(root, file.path);
    const dir = path.posix.dirname(wanted);
    const taken = await namesIn(dir === '.' ? '' : dir);
    const result = await uploadFile(client, local, wanted, { ...options, taken, watcher: progress.watcher(file.path) });
    taken.add(path.posix.basename(result.name));
    progress.fileDone(file.size);
    bytes += result.bytes;
    if (result.name !== wanted) ctx.print(ctx.msg.uploaded(result.name, result.bytes, wanted));
    if (verify) method = await verifyCopy(client, result.name, local, ctx.signal);
  });
  progress.end(failed === 0);
  ctx.print(
    ctx.msg.treeDone({ direction: 'upload', files: tree.files.length - failed, bytes, dir: remoteDir, failed, verified: failed === 0 ? method : null }),
  );
}

/** One bar for a whole tree: the bytes of every file, labelled with the file being moved. */
function treeProgress(ctx: ShellContext, label: string, files: readonly { readonly size: number }[]) {
  const bar = ctx.progress();
  bar?.start(
    label,
    files.reduce((sum, f) => sum + f.size, 0),
    0,
  );
  let before = 0;
  return {
    watcher: (name: string): ProgressWatcher | null =>
      bar && {
        start: () => bar.label(name),
        update: (done) => bar.update(before + done),
      },
    fileDone: (size: number) => {
      before += size;
    },
    end: (complete: boolean) => (complete ? bar?.finish() : bar?.stop()),
  };
}

/**
 * Runs `op` for each item; a failure prints its line and counts, and the
 * rest go on. An interruption, or a connection that is gone, stops them all.
 * Resolves with the number that failed.
 */
async function eachFile<T>(ctx: ShellContext, client: FtpClient, items: readonly T[], op: (item: T) => Promise<void>): Promise<number> {
  let failed = 0;
  for (const item of items) {
    try {
      await op(item);
    } catch (err) {
      if (client.closed || (err instanceof ClientError && err.kind === 'interrupted')) throw err;
      failed++;
      ctx.fail(err instanceof CommandFailed ? err.message : ctx.msg.error(toClientError(err).text(ctx.lang)));
    }
  }
  return failed;
}

function requireLocalDir(dir: string): void {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new ClientError([dir, { problem: 'notLocalDir' }], 'local');
}
