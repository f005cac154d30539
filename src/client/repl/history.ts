/**
 * The shell's command history, kept across sessions in ~/.sockftp_history:
 * one command a line, oldest first, at most HISTORY_SIZE of them, readable
 * by its owner only (0600, as bash and Python keep theirs). A line with a
 * password in a URL (open ftp://bob:secret@host) is never written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const HISTORY_SIZE = 1000;

const PASSWORD_IN_URL = /\w+:\/\/[^\s/@]*:[^\s/@]*@/;

export function historyFile(): string {
  return path.join(os.homedir(), '.sockftp_history');
}

/** Newest first, as readline keeps it; none when the file is missing or unreadable. */
export function loadHistory(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).slice(-HISTORY_SIZE).reverse();
}

/**
 * Writes readline's history (newest first) through a temporary file renamed
 * over the old one, so the file is never half-written and always 0600.
 * History is a convenience: a home directory that cannot take it costs the
 * session nothing.
 */
export function saveHistory(file: string, newestFirst: readonly string[]): void {
  const lines = newestFirst
    .filter((line) => !PASSWORD_IN_URL.test(line))
    .slice(0, HISTORY_SIZE)
    .reverse();
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, lines.map((line) => line + '\n').join(''), { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}
