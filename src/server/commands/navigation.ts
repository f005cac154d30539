/** The working directory: PWD, CWD, CDUP. */
import { notADirectory } from '../../errors.js';
import { Reply, quotePath } from '../../protocol/replies.js';
import { parentOf } from '../../protocol/virtualPath.js';
import type { Session } from '../Session.js';

export function PWD(s: Session): void {
  s.reply(Reply.PathCreated, `${quotePath(s.cwd)} is the current directory`);
}

export async function CWD(s: Session, arg: string): Promise<void> {
  await changeDirectory(s, s.resolvePath(arg));
}

export async function CDUP(s: Session): Promise<void> {
  await changeDirectory(s, parentOf(s.cwd));
}

async function changeDirectory(s: Session, path: string): Promise<void> {
  s.requirePermission('read', path);
  const info = await s.storage.stat(path);
  if (info.type !== 'dir') throw notADirectory(path);
  s.cwd = path;
  s.reply(Reply.FileActionOk, `Directory changed to ${path}`);
}
