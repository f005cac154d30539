/** Actions on single files and directories: DELE, MKD, RMD, RNFR/RNTO, SIZE, MDTM, MFMT. */
import { FileError, badArgument } from '../../core/errors.js';
import { formatFtpTime, parseFtpTime } from '../protocol/listing.js';
import { Reply, quotePath } from '../protocol/replies.js';
import type { Session } from '../Session.js';

export async function DELE(s: Session, arg: string): Promise<void> {
  s.reply(Reply.FileActionOk, `Deleted ${await s.files.delete(arg)}`);
}

export async function MKD(s: Session, arg: string): Promise<void> {
  s.reply(Reply.PathCreated, `${quotePath(await s.files.mkdir(arg))} created`);
}

export async function RMD(s: Session, arg: string): Promise<void> {
  s.reply(Reply.FileActionOk, `Removed ${await s.files.rmdir(arg)}`);
}

export async function RNFR(s: Session, arg: string): Promise<void> {
  s.renameFrom = await s.files.renameSource(arg);
  s.reply(Reply.PendingFurtherInfo, 'Ready for RNTO');
}

export async function RNTO(s: Session, arg: string): Promise<void> {
  const to = await s.files.rename(s.takeRenameSource(), arg);
  s.reply(Reply.FileActionOk, `Renamed to ${to}`);
}

export async function SIZE(s: Session, arg: string): Promise<void> {
  // In ASCII mode the size on the wire differs from the size on disk; counting it means
  // reading the whole file, so SIZE is refused there, as vsftpd and pyftpdlib do.
  if (s.transferType === 'A') {
    s.reply(Reply.FileUnavailable, 'SIZE not allowed in ASCII mode; send TYPE I first');
    return;
  }
  const { path, info } = await s.files.stat(arg);
  if (info.type !== 'file') throw new FileError('IS_DIR', `${path}: not a regular file`);
  s.reply(Reply.FileStatus, String(info.size));
}

export async function MDTM(s: Session, arg: string): Promise<void> {
  // "MDTM YYYYMMDDHHMMSS path" sets the time, as vsftpd and some clients use it;
  // only when no file is named by the whole argument.
  const set = /^(\d{14}(?:\.\d{1,3})?) (.+)$/.exec(arg);
  if (set && !(await s.files.exists(arg))) return setModifiedTime(s, set[1], set[2]);
  const { info } = await s.files.stat(arg);
  s.reply(Reply.FileStatus, formatFtpTime(info.mtime));
}

/** MFMT YYYYMMDDHHMMSS path (draft-somers-ftp-mfxx): sets the modification time. */
export async function MFMT(s: Session, arg: string): Promise<void> {
  const m = /^(\S+) (.+)$/.exec(arg);
  if (!m) throw badArgument('MFMT needs a time and a path');
  await setModifiedTime(s, m[1], m[2]);
}

async function setModifiedTime(s: Session, timeText: string, pathArg: string): Promise<void> {
  const time = parseFtpTime(timeText);
  if (!time) throw badArgument(`${timeText} is not a time of the form YYYYMMDDHHMMSS`);
  await s.files.setModifiedTime(pathArg, time);
  s.reply(Reply.FileStatus, `Modify=${formatFtpTime(time)}; ${pathArg}`);
}
