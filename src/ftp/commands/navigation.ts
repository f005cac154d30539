/** The working directory: PWD, CWD, CDUP. */
import { Reply, quotePath } from '../protocol/replies.js';
import type { Session } from '../Session.js';

export function PWD(s: Session): void {
  s.reply(Reply.PathCreated, `${quotePath(s.cwd)} is the current directory`);
}

export async function CWD(s: Session, arg: string): Promise<void> {
  s.reply(Reply.FileActionOk, `Directory changed to ${await s.files.changeDirectory(arg)}`);
}

export async function CDUP(s: Session): Promise<void> {
  await CWD(s, '..');
}
