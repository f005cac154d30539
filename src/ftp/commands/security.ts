/** FTP over TLS (RFC 4217, RFC 2228): AUTH, PBSZ, PROT, CCC. */
import { Reply } from '../protocol/replies.js';
import type { Session } from '../Session.js';

export async function AUTH(s: Session, arg: string): Promise<void> {
  const mechanism = arg.trim().toUpperCase();
  if (!s.config.tls) {
    s.reply(Reply.NotImplemented, 'TLS is not configured on this server');
    return;
  }
  // "TLS-C" is RFC 4217's other name for TLS; SSL is what old clients say and means the same here.
  if (mechanism !== 'TLS' && mechanism !== 'TLS-C' && mechanism !== 'SSL') {
    s.reply(Reply.NotImplementedForParameter, `AUTH ${mechanism} not supported; use AUTH TLS`);
    return;
  }
  if (s.secure) {
    s.reply(Reply.BadSequence, 'Already using TLS');
    return;
  }
  await s.upgradeToTls();
}

export function PBSZ(s: Session, arg: string): void {
  if (!s.secure) {
    s.reply(Reply.BadSequence, 'PBSZ needs AUTH TLS first');
    return;
  }
  s.pbszDone = true;
  // RFC 4217 8: for TLS the buffer size is always 0, whatever the client asked.
  s.reply(Reply.Ok, arg.trim() === '0' ? 'PBSZ=0' : 'PBSZ=0 (TLS needs no buffer size)');
}

export function PROT(s: Session, arg: string): void {
  if (!s.secure || !s.pbszDone) {
    s.reply(Reply.BadSequence, 'PROT needs AUTH TLS and PBSZ first');
    return;
  }
  const level = arg.trim().toUpperCase();
  if (level === 'P' || level === 'C') {
    s.protectData = level === 'P';
    s.reply(Reply.Ok, `Protection level set to ${level}`);
  } else s.reply(Reply.NotImplementedForParameter, `PROT ${level} not supported; use P or C`);
}

/** Dropping back to plaintext would expose every later command and password: refused. */
export function CCC(s: Session): void {
  s.reply(Reply.PolicyRefused, 'CCC refused: the control connection stays encrypted');
}
