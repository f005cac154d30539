/**
 * The transfer log in the xferlog format of wu-ftpd and vsftpd, one line per
 * transfer, so existing log tools read it:
 *
 *   Wed Nov 25 17:01:40 2026 1 127.0.0.1 1024 /a.bin b _ o a anonymous ftp 0 * c
 *
 * (time, seconds, host, bytes, path, type a|b, action _, direction o|i,
 * access a|r, user, service, auth method 0, auth user *, status c|i). The
 * service is the door: ftp, or http for the web's downloads and uploads.
 */
import * as fs from 'node:fs';
import type { ServerEvents } from './events.js';

export interface TransferRecord {
  readonly end: Date;
  readonly durationMs: number;
  readonly host: string;
  readonly bytes: number;
  readonly path: string;
  readonly ascii: boolean;
  readonly direction: 'upload' | 'download';
  readonly anonymous: boolean;
  readonly user: string;
  /** The door the transfer came through (ftp, http). */
  readonly service: string;
  readonly complete: boolean;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function openLog(file: string): fs.WriteStream {
  return fs.createWriteStream(file, { flags: 'a', mode: 0o640 });
}

function opened(stream: fs.WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
}

export function formatXferlogLine(r: TransferRecord): string {
  const d = r.end;
  const p2 = (n: number) => String(n).padStart(2, '0');
  const time = `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
  // Fields are space-separated: a space in a path would shift every field after it, so it is escaped as vsftpd does.
  const path = r.path.replace(/[\s]/g, '_');
  return [
    time,
    Math.max(1, Math.round(r.durationMs / 1000)),
    r.host,
    r.bytes,
    path,
    r.ascii ? 'a' : 'b',
    '_',
    r.direction === 'download' ? 'o' : 'i',
    r.anonymous ? 'a' : 'r',
    r.user,
    r.service,
    0,
    '*',
    r.complete ? 'c' : 'i',
  ].join(' ');
}

export class TransferLog {
  private out: fs.WriteStream;

  constructor(private readonly file: string) {
    this.out = openLog(file);
  }

  /** Resolves when the file is open, and rejects with a plain reason when it cannot be. */
  ready(): Promise<void> {
    return opened(this.out);
  }

  /**
   * After logrotate has moved the file away (SIGHUP): later lines go to a new
   * file at the same path, and what was already written lands in the old one.
   * If the path cannot be opened the old file is kept, and the promise rejects.
   */
  async reopen(): Promise<void> {
    const next = openLog(this.file);
    try {
      await opened(next);
    } catch (err) {
      next.destroy();
      throw err;
    }
    const old = this.out;
    this.out = next;
    old.end();
  }

  record(r: TransferRecord): void {
    this.out.write(formatXferlogLine(r) + '\n');
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(() => resolve()));
  }
}

/** Writes every finished file transfer of a logged-in session to `log` (listings are not files). */
export function recordTransfers(events: ServerEvents, log: TransferLog): void {
  events.on('transfer', (t) => {
    if (t.direction === 'listing' || t.user === null) return;
    log.record({
      end: new Date(),
      durationMs: t.durationMs,
      host: t.session.remoteAddress,
      bytes: t.bytes,
      path: t.path,
      ascii: t.ascii,
      direction: t.direction,
      anonymous: t.anonymous,
      user: t.user,
      service: t.session.door,
      complete: t.result === 'ok',
    });
  });
}
