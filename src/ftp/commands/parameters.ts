/** Transfer parameters: TYPE, MODE, STRU (RFC 959 4.1.2) and REST (RFC 3659 5). */
import { badArgument } from '../../core/errors.js';
import { Reply } from '../protocol/replies.js';
import type { Session } from '../Session.js';

export function TYPE(s: Session, arg: string): void {
  const type = arg.trim().toUpperCase().replace(/\s+/g, ' ');
  // "A N" is ASCII non-print, the default form; "L 8" is bytes of 8 bits, the same as image.
  if (type === 'A' || type === 'A N') s.transferType = 'A';
  else if (type === 'I' || type === 'L 8') s.transferType = 'I';
  else {
    s.reply(Reply.NotImplementedForParameter, `Type ${arg} not supported`);
    return;
  }
  s.reply(Reply.Ok, `Type set to ${s.transferType}`);
}

export function MODE(s: Session, arg: string): void {
  if (arg.trim().toUpperCase() === 'S') s.reply(Reply.Ok, 'Mode set to S');
  else s.reply(Reply.NotImplementedForParameter, 'Only stream mode (S) is supported');
}

export function STRU(s: Session, arg: string): void {
  if (arg.trim().toUpperCase() === 'F') s.reply(Reply.Ok, 'Structure set to F');
  else s.reply(Reply.NotImplementedForParameter, 'Only file structure (F) is supported');
}

export function REST(s: Session, arg: string): void {
  const text = arg.trim();
  if (!/^\d{1,15}$/.test(text)) throw badArgument('REST needs a byte offset');
  s.restOffset = Number(text);
  s.reply(Reply.PendingFurtherInfo, `Restarting at ${s.restOffset}; send RETR or STOR to continue`);
}

/** ALLO (RFC 959 4.1.3): nothing to reserve on a file system that grows files on demand. */
export function ALLO(s: Session): void {
  s.reply(Reply.Superfluous, 'ALLO not needed');
}
