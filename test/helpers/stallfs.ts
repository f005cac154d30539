/**
 * A real FUSE filesystem that stops answering on demand (stallfs.py, on
 * Debian's python3-fusepy and fuse3), mounted for one test: the hung NFS or
 * FUSE mount a server must survive. The mount and its process are the
 * test's until the cleanup it registers, which releases the stall first (a
 * process blocked in the mount is let go, not left hanging), unmounts lazily
 * and ends the process by its pid: a failed assertion leaves no mount and no
 * process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eventually } from './eventually.js';
import { REPO_ROOT } from './paths.js';
import { hasProgram, run } from './processes.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(REPO_ROOT, 'test/helpers/stallfs.py');
const LINE_TIMEOUT_MS = 15_000;
const EXIT_TIMEOUT_MS = 5_000;

export interface StallingMount {
  readonly mountpoint: string;
  /** Every operation started from now on blocks, until release(). */
  stall(): Promise<void>;
  release(): Promise<void>;
  /** How many operations have blocked so far. */
  readonly blocked: number;
  /** Resolves once more than `count` operations have blocked (with the last one's line: "waiting getattr /big.bin"). */
  blockedBeyond(count: number): Promise<string>;
  /** Releases, unmounts and ends the process; the cleanup registered at the start does it too, and twice is harmless. */
  close(): Promise<void>;
}

export type StallingMountStart = { readonly mount: StallingMount; readonly reason: null } | { readonly mount: null; readonly reason: string };

/** Why a FUSE mount cannot be made here, or null. Under CI (.ci/run installs python3-fusepy and fuse3) that is a failure, not a skip. */
async function unavailable(): Promise<string | null> {
  let reason: string | null = null;
  if (!fs.existsSync('/dev/fuse')) reason = 'there is no /dev/fuse';
  else if (!(await hasProgram('fusermount3')) && !(await hasProgram('fusermount'))) reason = 'fuse3 is not installed (.ci/run installs it)';
  else if ((await run(PYTHON, ['-c', 'import fusepy'], { timeoutMs: 20_000 })).code !== 0) {
    reason = 'python3-fusepy is not installed (.ci/run installs it)';
  }
  if (reason && process.env.CI) throw new Error(`CI is set, so the stalled-disk tests must run, but ${reason}`);
  return reason;
}

/**
 * Mounts `backing` at `mountpoint` (an empty directory) through stallfs.py
 * and resolves once it is mounted. `cleanup` registers the undoing with the
 * test framework (t.after, or after() in a describe) before anything can fail.
 */
export async function mountStalling(backing: string, mountpoint: string, cleanup: (undo: () => Promise<void>) => void): Promise<StallingMountStart> {
  const reason = await unavailable();
  if (reason) return { mount: null, reason };
  const child = spawn(PYTHON, [SCRIPT, backing, mountpoint], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = new LineLog(child);
  let closed: Promise<void> | null = null;
  const close = () => (closed ??= undo(child, mountpoint));
  cleanup(close);
  await lines.waitFor(() => lines.count('ready') > 0, '"ready"');
  const command = async (word: string, answer: string) => {
    const before = lines.count(answer);
    child.stdin.write(`${word}\n`);
    await lines.waitFor(() => lines.count(answer) > before, `"${answer}"`);
  };
  return {
    mount: {
      mountpoint,
      stall: () => command('stall', 'stalled'),
      release: () => command('release', 'released'),
      get blocked() {
        return lines.blocked.length;
      },
      blockedBeyond: async (count) => {
        await lines.waitFor(() => lines.blocked.length > count, `an operation to block (${count} so far)`);
        return lines.blocked[lines.blocked.length - 1];
      },
      close,
    },
    reason: null,
  };
}

/** Lets everything blocked go on, unmounts (lazily: a process still inside lets go on its own), ends the process by pid. */
async function undo(child: ChildProcess, mountpoint: string): Promise<void> {
  if (child.stdin?.writable) child.stdin.write('release\n');
  const unmounted = await run('fusermount3', ['-u', '-z', mountpoint], { timeoutMs: 10_000 }).catch(() => null);
  if (unmounted?.code !== 0 && isMounted(mountpoint)) await run('umount', ['-l', mountpoint], { timeoutMs: 10_000 }).catch(() => null);
  child.stdin?.end();
  // Unmounted, fusepy's loop ends and the process exits; if it does not, SIGTERM, then SIGKILL.
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  for (const signal of [null, 'SIGTERM', 'SIGKILL'] as const) {
    if (signal) child.kill(signal);
    const ended = await eventually(gone, { what: 'stallfs.py to exit', timeoutMs: EXIT_TIMEOUT_MS }).then(
      () => true,
      () => false,
    );
    if (ended) return;
  }
}

function isMounted(mountpoint: string): boolean {
  const escaped = mountpoint.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === escaped);
}

/** stallfs.py's lines as they come, and waits for them (eventually(), bounded by LINE_TIMEOUT_MS). */
class LineLog {
  readonly lines: string[] = [];
  readonly blocked: string[] = [];
  private partial = '';
  private stderr = '';
  private exited = false;

  constructor(child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop()!;
      for (const line of parts) {
        this.lines.push(line);
        if (line.startsWith('waiting ')) this.blocked.push(line);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    child.once('exit', () => (this.exited = true));
  }

  count(line: string): number {
    return this.lines.filter((l) => l === line).length;
  }

  /** Resolves once `done()` holds; fails at once if the process has exited, or after LINE_TIMEOUT_MS. */
  waitFor(done: () => boolean, what: string): Promise<void> {
    return eventually(
      () => {
        if (done()) return true;
        if (this.exited) throw new Error(`stallfs.py exited before ${what}:\n${this.stderr}`);
        return false;
      },
      { what: `stallfs.py to say ${what}`, timeoutMs: LINE_TIMEOUT_MS, detail: () => `${this.lines.join('\n')}\n${this.stderr}` },
    );
  }
}
