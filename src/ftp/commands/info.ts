/** Information about the server and the session: SYST, FEAT, OPTS, HELP, NOOP, STAT. */
import { parseHashAlgorithm } from '../../core/digests.js';
import { MLST_FACTS, formatListLine, type MlstFact } from '../protocol/listing.js';
import { Reply } from '../protocol/replies.js';
import type { CommandTable } from '../commandTable.js';
import type { Session } from '../Session.js';
import { listingPages } from './listings.js';

export function SYST(s: Session): void {
  s.reply(Reply.SystemType, 'UNIX Type: L8');
}

export function NOOP(s: Session): void {
  s.reply(Reply.Ok, 'NOOP ok');
}

export function FEAT(s: Session): void {
  s.reply(Reply.SystemStatus, ['Extensions supported:', ...featureLines(s), 'End']);
}

export function OPTS(s: Session, arg: string): void {
  const [option = '', ...rest] = arg.trim().split(/\s+/);
  switch (option.toUpperCase()) {
    case 'UTF8':
    case 'UTF-8':
      // Paths are always UTF-8 (RFC 2640); OFF is accepted but changes nothing, as vsftpd does.
      s.reply(Reply.Ok, 'Always in UTF8 mode');
      return;
    case 'MLST': {
      const wanted = (rest.join(' ') || '')
        .toLowerCase()
        .split(';')
        .filter((f) => f !== '');
      s.mlstFacts = new Set<MlstFact>(MLST_FACTS.filter((fact) => wanted.includes(fact)));
      s.reply(Reply.Ok, `MLST OPTS ${[...s.mlstFacts].map((f) => `${f};`).join('')}`);
      return;
    }
    case 'HASH': {
      // draft-bryan-ftpext-hash 3.2: without a name, report the current algorithm.
      const algorithm = rest.length === 0 ? s.hashAlgorithm : parseHashAlgorithm(rest.join(' '));
      if (!algorithm) {
        s.reply(Reply.SyntaxErrorInArguments, 'Unknown algorithm, current selection not changed');
        return;
      }
      s.hashAlgorithm = algorithm;
      s.reply(Reply.Ok, algorithm);
      return;
    }
    default:
      s.reply(Reply.SyntaxErrorInArguments, `Option ${option} not understood`);
  }
}

export function HELP(s: Session, arg: string): void {
  const verb = arg.trim().toUpperCase();
  if (verb !== '') {
    const spec = s.context.commands.get(verb);
    if (spec) s.reply(Reply.Help, `Syntax: ${spec.help}`);
    else s.reply(Reply.SyntaxErrorInArguments, `Unknown command ${verb}`);
    return;
  }
  s.reply(Reply.Help, ['The following commands are recognized:', ...helpLines(s.context.commands), 'Help OK']);
}

export async function STAT(s: Session, arg: string): Promise<void> {
  const transfer = s.activeTransfer;
  if (arg.trim() === '' || transfer) {
    const lines = [
      'sockftp status:',
      `Connected to ${s.remoteAddress}`,
      `Logged in as ${s.account?.name ?? '(nobody)'}`,
      `TYPE: ${s.transferType === 'A' ? 'ASCII' : 'BINARY'}, STRUcture: File, MODE: Stream`,
    ];
    if (transfer) lines.push(`Transferring ${transfer.path} (${transfer.direction}): ${transfer.bytes()} bytes so far`);
    s.reply(Reply.SystemStatus, [...lines, 'End of status']);
    return;
  }
  // RFC 959 4.1.3: STAT with a path is a listing sent over the control connection.
  const now = new Date();
  const lines: string[] = [];
  for await (const page of listingPages(s, arg, (info) => formatListLine(info, now))) lines.push(...page);
  s.reply(Reply.FileStatus, [`Status of ${arg}:`, ...lines, 'End of status']);
}

/** FEAT lines (RFC 2389), generated from the command table: one per extension, sorted. */
export function featureLines(s: Session): string[] {
  const lines = new Set<string>();
  for (const spec of s.context.commands.values()) {
    if (spec.needs && !s.capabilities[spec.needs]) continue;
    const line = typeof spec.feature === 'function' ? spec.feature(s) : spec.feature;
    if (line) lines.add(line);
  }
  return [...lines].sort();
}

/** HELP lines: the verbs of the table, eight to a line. */
function helpLines(commands: CommandTable): string[] {
  const verbs = [...commands.keys()].sort();
  const lines: string[] = [];
  for (let i = 0; i < verbs.length; i += 8)
    lines.push(
      verbs
        .slice(i, i + 8)
        .map((v) => v.padEnd(4))
        .join(' ')
        .trimEnd(),
    );
  return lines;
}
