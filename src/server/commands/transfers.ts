/** File transfers over the data connection: RETR, STOR, APPE, STOU, and ABOR to stop them. */
import type { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CrlfToLf, LfToCrlf } from '../../protocol/ascii.js';
import { freeName } from '../../protocol/freeName.js';
import { Reply } from '../../protocol/replies.js';
import { baseName, joinVirtual, parentOf } from '../../protocol/virtualPath.js';
import { exists } from '../../storage/exists.js';
import type { WriteMode } from '../../storage/Storage.js';
import type { Session } from '../Session.js';
import { receive } from '../receive.js';
import { send } from '../send.js';
import { runTransfer } from '../transfer.js';

export async function RETR(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  s.requirePermission('read', path);
  const offset = s.restOffset;
  // Opened before 150, so a missing, unreadable or directory path is a plain 550.
  const chunkBytes = s.context.transfers.chunkBytes();
  const source = await s.storage.openRead(path, offset, chunkBytes);
  const size = source.size === undefined ? '' : ` (${Math.max(0, source.size - offset)} bytes)`;
  try {
    await runTransfer(s, {
      path,
      direction: 'download',
      opening: `Opening ${modeName(s)} mode data connection for ${path}${size}`,
      run: (socket, signal) => {
        const ascii = asciiStage(s, 'out');
        return ascii ? pipe(source, ascii, socket, signal) : send(source, socket, signal, chunkBytes);
      },
      abort: async () => {
        source.destroy();
      },
    });
  } finally {
    // send() reads the file without consuming the stream, so the stream's end does not close it: this does.
    source.destroy();
  }
}

export async function STOR(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  s.requirePermission('write', path);
  const mode: WriteMode = s.restOffset > 0 ? { kind: 'at', offset: s.restOffset } : { kind: 'replace' };
  await store(s, path, mode, `Opening ${modeName(s)} mode data connection for ${path}`);
}

export async function APPE(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  s.requirePermission('write', path);
  await store(s, path, { kind: 'append' }, `Opening ${modeName(s)} mode data connection to append to ${path}`);
}

/**
 * STOU stores under a name no file has yet: the argument (or "stou") when it
 * is free, else name_1, name_2... RFC 1123 4.1.2.9: the 150 reply says "FILE: name".
 */
export async function STOU(s: Session, arg: string): Promise<void> {
  const wanted = s.resolvePath(arg.trim() === '' ? 'stou' : arg);
  const dir = parentOf(wanted);
  s.requirePermission('write', wanted);
  const name = await freeName(baseName(wanted), (candidate) => exists(s.storage, joinVirtual(dir, candidate)));
  await store(s, joinVirtual(dir, name), { kind: 'create' }, `FILE: ${name}`);
}

export async function ABOR(s: Session): Promise<void> {
  const transfer = s.activeTransfer;
  if (!transfer) {
    s.reply(Reply.DataOpenNoTransfer, 'No transfer to abort');
    return;
  }
  // RFC 959 4.1.3: the aborted transfer answers 426 first, then ABOR itself answers 226.
  transfer.abort();
  await transfer.done;
  s.reply(Reply.TransferComplete, 'ABOR successful');
}

async function store(s: Session, path: string, mode: WriteMode, opening: string): Promise<void> {
  const upload = await s.storage.openWrite(path, mode);
  await runTransfer(s, {
    path,
    direction: 'upload',
    opening,
    run: (socket, signal, adopt) => {
      const ascii = asciiStage(s, 'in');
      if (ascii) return pipe(socket, ascii, upload.stream, signal);
      return receive(socket, upload.stream, signal, { chunkBytes: s.context.transfers.chunkBytes() }, adopt);
    },
    commit: () => upload.commit(),
    abort: (keepWritten) => upload.abort(keepWritten),
  });
}

/** TYPE A converts line ends (LF on disk, CRLF on the wire); TYPE I passes bytes as they are. */
function asciiStage(s: Session, direction: 'in' | 'out'): Transform | null {
  if (s.transferType !== 'A') return null;
  return direction === 'out' ? new LfToCrlf() : new CrlfToLf();
}

function pipe(from: Readable, through: Transform | null, to: Writable, signal: AbortSignal): Promise<void> {
  return through ? pipeline(from, through, to, { signal }) : pipeline(from, to, { signal });
}

function modeName(s: Session): string {
  return s.transferType === 'A' ? 'ASCII' : 'BINARY';
}
