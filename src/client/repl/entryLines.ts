/** The lines of `ls` and `lls` (and `sockftp ls`): size or <DIR>, time, name; sorted by name. */
import type { RemoteEntry } from '../FtpClient.js';
import type { Messages } from './messages.js';

export function entryLines(entries: readonly RemoteEntry[], msg: Messages): string[] {
  if (entries.length === 0) return [msg.empty()];
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(formatEntry);
}

function formatEntry(e: RemoteEntry): string {
  const size = e.type === 'dir' ? '<DIR>' : String(e.size);
  // A Unix LIST line's time has no year or zone to convert, so it is shown as the server wrote it.
  const when = e.modifiedAt ? formatLocalTime(e.modifiedAt) : e.modifiedText.slice(0, 16).padEnd(16);
  return `${size.padStart(12)}  ${when}  ${e.name}${e.type === 'dir' ? '/' : ''}`;
}

function formatLocalTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
