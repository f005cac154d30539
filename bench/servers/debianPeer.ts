/**
 * Debian FTP servers that cannot be installed beside vsftpd: pure-ftpd,
 * proftpd-core and vsftpd all declare `Conflicts: ftp-server`. Their .debs are
 * fetched with `apt-get download` into bench/.peers/debs and unpacked with
 * `dpkg-deb -x` into bench/.peers/root (both git-ignored), and only their
 * shared libraries, which conflict with nothing, are installed with apt-get.
 * Done on the first run, skipped once the binary is there and its libraries
 * are installed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PEERS_PREFIX } from '../paths.js';
import { run } from '../../test/helpers/processes.js';
import { mustRun } from './localUser.js';

const DEBS = path.join(PEERS_PREFIX, 'debs');
export const DEBIAN_ROOT = path.join(PEERS_PREFIX, 'root');
/** Another apt-get on the machine may hold the lock for a while: wait for it (within mustRun's 120 s) rather than fail. */
const APT_OPTIONS = ['-o', 'DPkg::Lock::Timeout=90', '-o', 'APT::Sandbox::User=root'];
const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };

export interface DebianPeer {
  /** The unpacked program, under bench/.peers/root. */
  readonly program: string;
  /** The package's Debian version, `1.0.50-2.1+b2`. */
  readonly debianVersion: string;
}

/**
 * Makes `program` (a path inside the package, `usr/sbin/pure-ftpd`) of the
 * Debian package `pkg` runnable here, and returns where it is. Throws with a
 * one-line reason when it cannot.
 */
export async function debianPeer(pkg: string, program: string): Promise<DebianPeer> {
  try {
    let deb = downloaded(pkg);
    if (!deb) {
      console.log(`fetching ${pkg} with apt-get download into ${path.relative(process.cwd(), DEBS)}/ ...`);
      fs.mkdirSync(DEBS, { recursive: true });
      await aptGetDownload(pkg);
      deb = downloaded(pkg);
      if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${DEBS}`);
    }
    const unpacked = path.join(DEBIAN_ROOT, program);
    if (!fs.existsSync(unpacked)) await mustRun('dpkg-deb', ['-x', deb, DEBIAN_ROOT]);
    const missing = await notInstalled(libraryDependencies(await mustRun('dpkg-deb', ['-f', deb, 'Depends'])));
    if (missing.length > 0) {
      console.log(`installing ${pkg}'s libraries: apt-get install ${missing.join(' ')} ...`);
      await mustRun('apt-get', [...APT_OPTIONS, 'install', '-y', '--no-install-recommends', ...missing], undefined, APT_ENV);
    }
    const unresolved = (await mustRun('ldd', [unpacked])).split('\n').filter((line) => line.includes('not found'));
    if (unresolved.length > 0) throw new Error(`${program} still lacks ${unresolved.map((l) => l.trim().split(' ')[0]).join(', ')}`);
    return { program: unpacked, debianVersion: (await mustRun('dpkg-deb', ['-f', deb, 'Version'])).trim() };
  } catch (err) {
    // The starter's caller prints the first line only: the reason must fit in it.
    const first = (err as Error).message.split('\n').find((line) => line.trim() !== '') ?? String(err);
    throw new Error(`cannot get ${pkg} from Debian's archive (apt-get download, dpkg-deb -x into ${DEBIAN_ROOT}): ${first}`);
  }
}

function downloaded(pkg: string): string | null {
  const name = fs.existsSync(DEBS) ? fs.readdirSync(DEBS).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb')) : undefined;
  return name ? path.join(DEBS, name) : null;
}

/**
 * The shared libraries among a `Depends:` field's packages (`libssl3 (>= 3.0.0), a | b, ...`):
 * the first choice of each, when its name starts with "lib". The rest (inetd, adduser, ucf,
 * pure-ftpd-common) serve the packaged daemon's set-up, which the benchmark does not use.
 */
function libraryDependencies(depends: string): string[] {
  return depends
    .split(',')
    .map(
      (entry) =>
        entry
          .split('|')[0]
          .trim()
          .split(/[\s(:]/)[0],
    )
    .filter((name) => name.startsWith('lib'));
}

async function notInstalled(packages: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const pkg of packages) {
    const status = await mustRun('dpkg-query', ['-W', '-f', '${Status}', pkg]).catch(() => '');
    if (!status.endsWith('install ok installed')) missing.push(pkg);
  }
  return missing;
}

/** apt-get download writes into the current directory, so it runs in DEBS. */
async function aptGetDownload(pkg: string): Promise<void> {
  const result = await run('apt-get', [...APT_OPTIONS, 'download', pkg], { cwd: DEBS, timeoutMs: 120_000 });
  if (result.code === 0) return;
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('E:'));
  throw new Error(`apt-get download ${pkg} failed: ${errors.join(' ') || result.stderr.trim() || result.code}`);
}
