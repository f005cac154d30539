/** Actions on single files and directories: DELE, MKD, RMD, RNFR/RNTO, SIZE, MDTM. */
import { FtpError } from '../../errors.js';
import { formatFtpTime } from '../../protocol/listing.js';
import { Reply, quotePath } from '../../protocol/replies.js';
import type { Session } from '../Session.js';

export async function DELE(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  s.requirePermission('delete', path);
  await s.storage.delete(path);
  s.reply(Reply.FileActionOk, `Deleted ${path}`);
}

export async function MKD(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  s.requirePermission('mkdir', path);
  await s.storage.mkdir(path);
  s.reply(Reply.PathCreated, `${quotePath(path)} created`);
}

export async function RMD(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  s.requirePermission('mkdir', path);
  await s.storage.rmdir(path);
  s.reply(Reply.FileActionOk, `Removed ${path}`);
}

export async function RNFR(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  s.requirePermission('rename', path);
  await s.storage.stat(path);
  s.renameFrom = path;
  s.reply(Reply.PendingFurtherInfo, 'Ready for RNTO');
}

export async function RNTO(s: Session, arg: string): Promise<void> {
  const from = s.takeRenameSource();
  const to = s.resolvePath(arg);
  s.requirePermission('rename', to);
  await s.storage.rename(from, to);
  s.reply(Reply.FileActionOk, `Renamed to ${to}`);
}

export async function SIZE(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  s.requirePermission('read', path);
  const info = await s.storage.stat(path);
  if (info.type !== 'file') throw new FtpError('FTP_ERR_IS_DIR', `${path}: not a regular file`);
  s.reply(Reply.FileStatus, String(info.size));
}

export async function MDTM(s: Session, arg: string): Promise<void> {
  const path = s.resolvePath(arg);
  s.requirePermission('read', path);
  const info = await s.storage.stat(path);
  s.reply(Reply.FileStatus, formatFtpTime(info.mtime));
}
