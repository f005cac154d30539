/**
 * Formatting of directory listings: LIST lines in the "ls -l" form every
 * client parses, NLST names, and MLSx fact lines (RFC 3659 7). No I/O.
 */
import type { FileInfo } from '../../core/FileInfo.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

/** The MLSx facts this server knows, in the order they are written (RFC 3659 7.5). */
export const MLST_FACTS = ['type', 'size', 'modify', 'perm', 'unique', 'unix.mode'] as const;
export type MlstFact = (typeof MLST_FACTS)[number];

/**
 * A name with CR or LF would end the line early and forge an entry, so such
 * entries are left out of every listing (they stay reachable by exact name).
 */
export function isListableName(name: string): boolean {
  return !/[\r\n]/.test(name);
}

/** One "ls -l" line without its CRLF. Owner and group are hidden, as vsftpd's hide_ids does. */
export function formatListLine(info: FileInfo, now: Date): string {
  const size = String(info.type === 'dir' ? 4096 : info.size).padStart(12);
  return `${typeChar(info)}${permissionString(info)}    1 ftp      ftp      ${size} ${formatListDate(info.mtime, now)} ${info.name}`;
}

/** "Nov 25 16:53" for the last six months, "Nov 25  2025" otherwise, in UTC like MDTM. */
export function formatListDate(mtime: Date, now: Date): string {
  const month = MONTHS[mtime.getUTCMonth()];
  const day = String(mtime.getUTCDate()).padStart(2);
  const age = now.getTime() - mtime.getTime();
  if (age < SIX_MONTHS_MS && age > -SIX_MONTHS_MS) {
    return `${month} ${day} ${pad2(mtime.getUTCHours())}:${pad2(mtime.getUTCMinutes())}`;
  }
  return `${month} ${day}  ${mtime.getUTCFullYear()}`;
}

/** "YYYYMMDDHHMMSS" in UTC (RFC 3659 2.3), as MDTM and the modify fact use. */
export function formatFtpTime(time: Date): string {
  return (
    String(time.getUTCFullYear()).padStart(4, '0') +
    pad2(time.getUTCMonth() + 1) +
    pad2(time.getUTCDate()) +
    pad2(time.getUTCHours()) +
    pad2(time.getUTCMinutes()) +
    pad2(time.getUTCSeconds())
  );
}

/** Parses "YYYYMMDDHHMMSS[.sss]" (UTC); null when malformed. */
export function parseFtpTime(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  // Date.UTC rolls 2026-02-31 over into March; a real timestamp survives the round trip.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  return date;
}

export type MlstKind = 'entry' | 'cdir' | 'pdir';

/**
 * One MLSx line: "fact=value;...; name". `perm` is the RFC 3659 7.5.5 letter
 * set this user has on the entry; `kind` marks the listed directory itself.
 */
export function formatMlsxLine(info: FileInfo, facts: ReadonlySet<MlstFact>, perm: string, kind: MlstKind = 'entry'): string {
  let out = '';
  for (const fact of MLST_FACTS) {
    if (!facts.has(fact)) continue;
    const value = factValue(fact, info, perm, kind);
    if (value !== null) out += `${fact}=${value};`;
  }
  return `${out} ${info.name}`;
}

/** The facts line of FEAT: every known fact, the enabled ones marked with "*". */
export function formatMlstFeature(enabled: ReadonlySet<MlstFact>): string {
  return 'MLST ' + MLST_FACTS.map((f) => `${f}${enabled.has(f) ? '*' : ''};`).join('');
}

function factValue(fact: MlstFact, info: FileInfo, perm: string, kind: MlstKind): string | null {
  switch (fact) {
    case 'type':
      if (kind !== 'entry') return kind;
      return info.type === 'dir' ? 'dir' : info.type === 'file' ? 'file' : info.type === 'link' ? 'OS.unix=symlink' : 'OS.unix=other';
    case 'size':
      return info.type === 'file' ? String(info.size) : null;
    case 'modify':
      return formatFtpTime(info.mtime);
    case 'perm':
      return perm;
    case 'unique':
      return info.id ?? null;
    case 'unix.mode':
      return info.mode === undefined ? null : '0' + (info.mode & 0o7777).toString(8).padStart(3, '0');
  }
}

function typeChar(info: FileInfo): string {
  switch (info.type) {
    case 'dir':
      return 'd';
    case 'file':
      return '-';
    case 'link':
      return 'l';
    default:
      return 's';
  }
}

/** Where the backend has no permission bits (an object store), LIST shows what a fresh directory or file would have. */
function permissionString(info: FileInfo): string {
  const mode = info.mode ?? (info.type === 'dir' ? 0o755 : 0o644);
  const chars = 'rwxrwxrwx';
  let out = '';
  for (let bit = 8; bit >= 0; bit--) out += mode & (1 << bit) ? chars[8 - bit] : '-';
  return out;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
