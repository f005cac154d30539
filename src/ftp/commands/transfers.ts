/** File transfers over the data connection: RETR, STOR, APPE, STOU, and ABOR to stop them. */
import type { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CrlfToLf, LfToCrlf } from '../protocol/ascii.js';
import type { UploadTarget } from '../../core/FileOperations.js';
import { baseName } from '../../core/virtualPath.js';
import { Reply } from '../protocol/replies.js';
import type { Session } from '../Session.js';
import { receive } from '../receive.js';
import { closeSource, send, sendAtOnce } from '../send.js';
import { runTransfer } from '../transfer.js';

export async function RETR(s: Session, arg: string): Promise<void> {
  const offset = s.restOffset;
  const chunkBytes = s.context.transfers.chunkBytes();
  // TYPE A converts a stream; only TYPE I may take the backend's fast read path.
  const ascii = asciiStage(s, 'out');
  // Opened before 150, so a missing, unreadable or directory path is a plain 550.
  const { path, source, size } = await s.files.openSend(arg, offset, chunkBytes, ascii === null);
  const sizeText = size === undefined ? '' : ` (${Math.max(0, size - offset)} bytes)`;
  let sentAlready = 0;
  try {
    await runTransfer(s, {
      path,
      direction: 'download',
      opening: `Opening ${modeName(s)} mode data connection for ${path}${sizeText}`,
      atOnce:
        ascii === null
          ? (socket) => {
              const sent = sendAtOnce(source, socket);
              if (sent === 'all') return true;
              sentAlready = sent;
              return false;
            }
          : undefined,
      run: (socket, signal) => send(source, socket, signal, ascii, sentAlready),
      abort: async () => closeSource(source),
    });
  } finally {
    closeSource(source);
  }
}

export async function STOR(s: Session, arg: string): Promise<void> {
  const target: UploadTarget = s.restOffset > 0 ? { kind: 'at', offset: s.restOffset } : { kind: 'replace' };
  await store(s, arg, target, (path) => `Opening ${modeName(s)} mode data connection for ${path}`);
}

export async function APPE(s: Session, arg: string): Promise<void> {
  await store(s, arg, { kind: 'append' }, (path) => `Opening ${modeName(s)} mode data connection to append to ${path}`);
}

/**
 * STOU stores under a name no file has yet: the argument (or "stou") when it
 * is free, else name_1, name_2... RFC 1123 4.1.2.9: the 150 reply says "FILE: name".
 */
export async function STOU(s: Session, arg: string): Promise<void> {
  await store(s, arg.trim() === '' ? 'stou' : arg, { kind: 'unique' }, (path) => `FILE: ${baseName(path)}`);
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

async function store(s: Session, arg: string, target: UploadTarget, opening: (path: string) => string): Promise<void> {
  const { path, upload } = await s.files.openUpload(arg, target);
  await runTransfer(s, {
    path,
    direction: 'upload',
    opening: opening(path),
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
