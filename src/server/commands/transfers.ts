/** File transfers over the data connection: RETR, STOR, and ABOR to stop them. */
import { pipeline } from 'node:stream/promises';
import { isADirectory } from '../../errors.js';
import { Reply } from '../../protocol/replies.js';
import type { WriteMode } from '../../storage/Storage.js';
import type { Session } from '../Session.js';
import { runTransfer } from '../transfer.js';

export async function RETR(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  s.requirePermission('read', path);
  const info = await s.storage.stat(path);
  if (info.type === 'dir') throw isADirectory(path);
  const offset = s.restOffset;
  // Opened before 150, so a missing or unreadable file is a plain 550.
  const source = await s.storage.openRead(path, offset);
  await runTransfer(s, {
    path,
    direction: 'download',
    opening: `Opening ${modeName(s)} mode data connection for ${path} (${Math.max(0, info.size - offset)} bytes)`,
    run: (socket, signal) => pipeline(source, socket, { signal }),
    abort: async () => {
      source.destroy();
    },
  });
}

export async function STOR(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  s.requirePermission('write', path);
  const mode: WriteMode = s.restOffset > 0 ? { kind: 'at', offset: s.restOffset } : { kind: 'replace' };
  await receive(s, path, mode);
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

async function receive(s: Session, path: string, mode: WriteMode): Promise<void> {
  const upload = await s.storage.openWrite(path, mode);
  await runTransfer(s, {
    path,
    direction: 'upload',
    opening: `Opening ${modeName(s)} mode data connection for ${path}`,
    run: (socket, signal) => pipeline(socket, upload.stream, { signal }),
    commit: () => upload.commit(),
    abort: () => upload.abort(),
  });
}

function modeName(s: Session): string {
  return s.transferType === 'A' ? 'ASCII' : 'BINARY';
}
