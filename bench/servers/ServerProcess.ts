/**
 * A server under test as a child process: the tail of its output kept for
 * error messages, readiness checked by its FTP greeting, and stopped together
 * with everything it forked, by pid. (After test/helpers/peers.ts.)
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { ControlChannel, ReplyError } from '../client/ControlChannel.js';
import { LOOPBACK } from '../paths.js';
import type { BenchServer } from './BenchServer.js';
import { gone, processTree, sendSignal } from './processTree.js';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 25;
/** How long one probe waits for a greeting before trying again. */
const PROBE_TIMEOUT_MS = 2_000;
/** A server that logs every connection would otherwise grow this string for the whole run. */
const KEPT_OUTPUT_CHARS = 64 * 1024;

export class ServerProcess {
  private text = '';
  private closed = false;
  private readonly child: ChildProcess;

  constructor(command: string, args: readonly string[], options: SpawnOptions = {}) {
    this.child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) stream.setEncoding('utf8').on('data', (d: string) => this.keep(d));
    this.child.on('error', (err) => this.keep(`\n${err.message}`));
    this.child.on('close', () => (this.closed = true));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`the server did not start:\n${this.text}`);
    return this.child.pid;
  }

  /** Resolves with the first match of `pattern` in the output; rejects when the process ends first or at the deadline. */
  async waitForOutput(pattern: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.text);
      if (m) return m;
      if (this.closed) throw new Error(`the server exited before printing ${pattern}:\n${this.text}`);
      if (Date.now() >= deadline) throw new Error(`the server did not print ${pattern} in ${timeoutMs} ms:\n${this.text}`);
      await delay(POLL_MS);
    }
  }

  /**
   * Connects until the server greets with 220. Some servers report set-up
   * errors only in the greeting (vsftpd's "500 OOPS: ..."), so any other
   * greeting fails at once, with its text.
   */
  async waitForGreeting(port: number, timeoutMs = START_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.closed) throw new Error(`the server exited before accepting connections:\n${this.text}`);
      try {
        (await ControlChannel.open(port, PROBE_TIMEOUT_MS)).close();
        return;
      } catch (err) {
        if (err instanceof ReplyError) throw new Error(`the server greets with "${err.reply.lines.join(' ')}"\n${this.text}`);
        // Nothing listens yet, or it did not answer in time: try again until the deadline.
      }
      if (Date.now() >= deadline) throw new Error(`nothing greeted on ${LOOPBACK}:${port} in ${timeoutMs} ms:\n${this.text}`);
      await delay(POLL_MS);
    }
  }

  /**
   * The running server as the benchmark sees it, once `ready` has found its
   * port and version; if that fails, the process is stopped and the error passed on.
   */
  async asBenchServer(ready: () => Promise<Omit<BenchServer, 'pid' | 'output' | 'stop'>>): Promise<BenchServer> {
    try {
      const about = await ready();
      return { ...about, pid: this.pid, output: () => this.text, stop: () => this.stop() };
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /**
   * SIGTERM to the process and everything below it, then SIGKILL to what is
   * left. vsftpd's sessions call setsid, so a signal to the process group
   * would miss them; they are found by parent pid, and waited for, because
   * userdel refuses a user who still runs a process.
   */
  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    const pids = processTree(pid);
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      for (const p of pids) if (!gone(p)) sendSignal(p, signal);
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (!pids.every(gone) && Date.now() < deadline) await delay(POLL_MS);
      if (pids.every(gone)) {
        await exited;
        return;
      }
    }
    throw new Error(`processes ${pids.join(', ')} did not stop:\n${this.text}`);
  }

  private keep(chunk: string): void {
    this.text = (this.text + chunk).slice(-KEPT_OUTPUT_CHARS);
  }
}
