/**
 * What people run today to put FTP in front of a bucket: s3fs-fuse (Debian's
 * package) mounting it, and vsftpd serving the mount as the local user's
 * home. s3fs stays in the foreground (-f) as our child, so it is stopped by
 * pid after `fusermount -u`, also when the run fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { hasProgram } from '../../test/helpers/processes.js';
import type { BenchServer, ServerSetup } from './BenchServer.js';
import { mustRun } from './localUser.js';
import { gone } from './processTree.js';
import type { S3Location } from './sockftpS3.js';
import { ServerProcess } from './ServerProcess.js';
import { startVsftpd } from './vsftpd.js';

const MOUNT_TIMEOUT_MS = 20_000;
const POLL_MS = 50;

export interface S3fsMount {
  /** The s3fs process: its memory is s3fs's share of "vsftpd on s3fs". */
  readonly pid: number;
  readonly version: string;
  readonly command: string;
  /** `fusermount -u`, then the process by pid. */
  unmount(): Promise<void>;
}

/**
 * Mounts the bucket on `dir` (an empty directory), every file owned by the
 * account vsftpd logs in, and readable by others (`allow_other`: vsftpd's
 * session runs as that user, not as root, who mounted it).
 */
export async function mountS3fs(s3: S3Location, dir: string, confDir: string, owner: { readonly uid: number; readonly gid: number }): Promise<S3fsMount> {
  if (!(await hasProgram('s3fs'))) throw new Error('s3fs is not installed (Debian package s3fs)');
  const passwd = path.join(confDir, 's3fs.passwd');
  // s3fs refuses a password file that others may read.
  fs.writeFileSync(passwd, `${s3.env.AWS_ACCESS_KEY_ID}:${s3.env.AWS_SECRET_ACCESS_KEY}\n`, { mode: 0o600 });
  const options = [
    `passwd_file=${passwd}`,
    `url=${s3.endpoint}`,
    'use_path_request_style',
    'allow_other',
    `uid=${owner.uid}`,
    `gid=${owner.gid}`,
    'umask=0022',
    'mp_umask=0022',
  ];
  const args = [s3.bucket, dir, '-f', ...options.flatMap((o) => ['-o', o])];
  const version = /V(\d[\d.]*)/.exec(await mustRun('s3fs', ['--version']).catch(() => ''))?.[1] ?? '(version unknown)';
  const about = { name: 's3fs', port: 0, version: `s3fs ${version}`, command: `s3fs ${args.join(' ')}` };
  // A process like the servers' (output kept, stopped by pid); it has no port, and is ready once mounted.
  const s3fs = await new ServerProcess('s3fs', args, { env: { ...process.env, ...s3.env } }).asBenchServer(async () => about);
  const unmount = async () => {
    if (isMounted(dir)) await mustRun('fusermount', ['-u', dir]);
    await s3fs.stop();
  };
  try {
    for (const deadline = Date.now() + MOUNT_TIMEOUT_MS; !isMounted(dir); await delay(POLL_MS)) {
      if (gone(s3fs.pid)) throw new Error(`s3fs exited before mounting ${dir}:\n${s3fs.output()}`);
      if (Date.now() >= deadline) throw new Error(`s3fs did not mount ${dir} in ${MOUNT_TIMEOUT_MS} ms:\n${s3fs.output()}`);
    }
  } catch (err) {
    await unmount();
    throw err;
  }
  return { pid: s3fs.pid, version: about.version, command: about.command, unmount };
}

/** vsftpd (servers/vsftpd.ts, unchanged) with the mount as the served tree. */
export async function startVsftpdOnS3fs(setup: ServerSetup, mount: S3fsMount): Promise<BenchServer> {
  const vsftpd = await startVsftpd(setup);
  return { ...vsftpd, name: 'vsftpd+s3fs', version: `${vsftpd.version} on ${mount.version}`, command: `${mount.command}; ${vsftpd.command}` };
}

/** Whether a FUSE file system is mounted exactly on `dir` (field 5 of mountinfo; s3fs's paths have no spaces). */
function isMounted(dir: string): boolean {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === dir && / - fuse(\.s3fs)? /.test(line));
}
