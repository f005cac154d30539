/**
 * One file up or down, with the client's rules: never replace an existing
 * file unless forced (the next free name base_1.ext is used instead), resume
 * a cut transfer on request, and download into NAME.part, renamed to NAME
 * only once complete, so a cut download never looks finished. Used by the
 * shell and by the one-shot commands.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freeName } from '../core/freeName.js';
import { ClientError } from './ClientError.js';
import type { FtpClient } from './FtpClient.js';
import { isConnectionLoss, NO_RETRIES, withRetries, type RetryPolicy } from './retries.js';

/** Someone watching transfers: a progress bar. */
export interface ProgressWatcher {
  /** A file starts: its name, its whole size when known, and how much of it was there already. */
  start(name: string, total: number | null, startAt: number): void;
  /** How much of the file is there now, what was there already included. */
  update(done: number): void;
}

export interface FileTransferOptions {
  /** Replace an existing file (-f). */
  readonly force?: boolean;
  /** Continue a cut transfer (-c). */
  readonly resume?: boolean;
  readonly signal?: AbortSignal;
  readonly watcher?: ProgressWatcher | null;
  /** The remote file's size, when a listing already said it: no SIZE command is then needed. */
  readonly size?: number;
  /** Reconnecting and resuming after a lost connection; none when not given. */
  readonly retry?: RetryPolicy;
}

export interface FileTransferResult {
  /** The name used: the wanted one, or the next free one. */
  readonly name: string;
  /** Bytes moved by this transfer (a resume moves only the rest). */
  readonly bytes: number;
}

/**
 * Downloads `remote` to `wanted`. Without -f an existing file is kept and
 * the next free name used; -c continues NAME.part, or NAME, from where it stopped.
 */
export async function downloadFile(client: FtpClient, remote: string, wanted: string, options: FileTransferOptions = {}): Promise<FileTransferResult> {
  let name = wanted;
  let startAt = 0;
  let total: number | null = null;
  if (options.resume) {
    const part = `${wanted}.part`;
    if (!fs.existsSync(part) && fs.existsSync(wanted)) fs.renameSync(wanted, part);
    startAt = fs.statSync(part, { throwIfNoEntry: false })?.size ?? 0;
    total = options.size ?? (await client.size(remote));
    if (startAt > total) throw new ClientError([wanted, { problem: 'localLarger', args: [remote] }], 'local');
  } else if (!options.force) {
    name = await freeName(wanted, (n) => fs.existsSync(n));
  }
  const watcher = options.watcher;
  // Only a watcher needs the size beforehand; a server that will not tell shows a bar without a percentage.
  if (watcher && total === null) total = options.size ?? (await client.size(remote).catch(() => null));
  watcher?.start(path.basename(name), total, startAt);
  const part = `${name}.part`;
  const partSize = () => fs.statSync(part, { throwIfNoEntry: false })?.size ?? 0;
  // Each attempt goes on from what the one before left in NAME.part (REST), the first from -c's point.
  const progress = new AttemptProgress(watcher, startAt);
  try {
    await withRetries(client, options.retry ?? NO_RETRIES, options.signal, async (retrying) => {
      if (retrying) {
        total ??= await remoteSize(client, remote);
        const kept = partSize();
        // Only a file changed on the server meanwhile can be shorter than what came of it: then from the start.
        progress.restartAt(total !== null && kept > total ? 0 : kept);
      }
      progress.beginAttempt();
      if (!retrying || total === null || progress.from < total) await client.download(remote, part, progress.from, progress.callbacks(options.signal));
    });
  } catch (err) {
    // A download refused before any byte came (550) leaves no empty .part behind; a cut one stays for -c.
    if (partSize() === 0 && fs.existsSync(part)) fs.rmSync(part);
    throw interruptedAt(err, name, progress.reached, 'download');
  }
  const bytes = partSize() - startAt;
  fs.renameSync(part, name);
  return { name, bytes };
}

/**
 * Uploads `local` as `wanted`, or the next free name unless -f; -c appends
 * what the remote copy is missing. `taken` are the names already in the
 * target directory, when the caller knows them (a tree upload lists each
 * directory once).
 */
export async function uploadFile(
  client: FtpClient,
  local: string,
  wanted: string,
  options: FileTransferOptions & { readonly taken?: ReadonlySet<string> } = {},
): Promise<FileTransferResult> {
  const stats = fs.statSync(local, { throwIfNoEntry: false });
  if (!stats?.isFile()) throw new ClientError([local, { problem: 'noLocalFile' }], 'local');
  let name = wanted;
  let resumeAt = 0;
  if (options.resume) {
    resumeAt = await client.size(wanted).catch(() => 0);
    if (resumeAt > stats.size) throw new ClientError([wanted, { problem: 'remoteLarger', args: [local] }], 'remote');
    if (resumeAt === stats.size) return { name, bytes: 0 };
  } else if (!options.force) {
    const dir = path.posix.dirname(wanted);
    const taken = options.taken ?? (await client.names(dir === '.' ? '' : dir));
    const free = await freeName(path.posix.basename(wanted), (n) => taken.has(n));
    name = dir === '.' ? free : path.posix.join(dir, free);
  }
  const watcher = options.watcher;
  watcher?.start(path.posix.basename(name), stats.size, resumeAt);
  const progress = new AttemptProgress(watcher, resumeAt);
  try {
    await withRetries(client, options.retry ?? NO_RETRIES, options.signal, async (retrying) => {
      if (retrying) progress.restartAt(await uploadResumePoint(client, name, stats.size, options.force === true));
      progress.beginAttempt();
      if (progress.from < stats.size || !retrying) await client.upload(local, name, progress.from, progress.callbacks(options.signal));
    });
  } catch (err) {
    throw interruptedAt(err, name, progress.reached, 'upload');
  }
  return { name, bytes: stats.size - resumeAt };
}

/**
 * Where a transfer that may be retried stands: the offset the current attempt
 * started from, and what that attempt moved, told to the watcher as one figure.
 */
class AttemptProgress {
  private moved = 0;

  constructor(
    private readonly watcher: ProgressWatcher | null | undefined,
    public from: number,
  ) {}

  /** A new attempt goes on from `offset`. */
  restartAt(offset: number): void {
    this.from = offset;
    this.watcher?.update(offset);
  }

  beginAttempt(): void {
    this.moved = 0;
  }

  /** How far the file got: where the last attempt started, and what it moved. */
  get reached(): number {
    return this.from + this.moved;
  }

  callbacks(signal: AbortSignal | undefined) {
    return {
      signal,
      onProgress: (bytes: number) => {
        this.moved = bytes;
        this.watcher?.update(this.from + bytes);
      },
      onStart: () => this.watcher?.update(this.from),
    };
  }
}

/**
 * Where a retried upload goes on: from the size of the remote copy when the
 * server kept a partial one (APPE), from the start when it kept nothing
 * (an atomic STOR, an object store: SIZE says 550) or something that cannot
 * be a part of ours (larger than the local file). After -f the name may hold
 * the file being replaced, which a partial upload cannot be told from, so a
 * replacing upload always starts over.
 */
async function uploadResumePoint(client: FtpClient, name: string, localSize: number, replacing: boolean): Promise<number> {
  if (replacing) return 0;
  const remote = (await remoteSize(client, name)) ?? 0;
  return remote > 0 && remote <= localSize ? remote : 0;
}

/** SIZE, or null when the server refuses it (no such file, no SIZE); a connection lost again is the retry loop's. */
function remoteSize(client: FtpClient, remote: string): Promise<number | null> {
  return client.size(remote).catch((err: unknown) => {
    if (err instanceof ClientError && err.replyCode !== null && err.replyCode >= 500) return null;
    throw err;
  });
}

/**
 * An interrupted transfer says how far it got; a download's .part is kept
 * for -c. A lost connection names the file, which its words do not (a reply does already).
 */
function interruptedAt(err: unknown, name: string, done: number, command: 'download' | 'upload'): unknown {
  if (!(err instanceof ClientError)) return err;
  if (err.kind !== 'interrupted') return err.replyCode === null && isConnectionLoss(err, true) ? err.within([name]) : err;
  const problem = command === 'download' ? 'interruptedDownload' : 'interruptedUpload';
  return new ClientError([name, { problem, args: [String(done)] }], 'interrupted');
}
