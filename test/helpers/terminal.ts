/**
 * A real terminal for tests of the interactive client: a tmux session on a
 * private socket (so nothing touches the user's tmux), keys sent with
 * send-keys, the screen read with capture-pane. Every wait polls the screen
 * against a deadline; stop() kills that tmux server and whatever runs in it.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { eventually } from './eventually.js';
import { hasProgram, run } from './processes.js';

export class Terminal {
  /** Where tmux put the server's socket, which kill-server leaves behind. */
  private socketPath: string | null = null;

  private constructor(private readonly socket: string) {}

  /** Why the tests of a real terminal cannot run here, or null. */
  static async unavailable(): Promise<string | null> {
    return (await hasProgram('tmux')) ? null : 'tmux is not installed (.ci/run installs it)';
  }

  /** Runs `argv` in a new 200x50 terminal, in `cwd`, with `env` added to this process's environment. */
  static async start(argv: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}): Promise<Terminal> {
    const terminal = new Terminal(`sockftp-test-${randomBytes(6).toString('hex')}`);
    const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
    // The exit status is printed by the shell around it, and remain-on-exit keeps the screen readable after the end.
    const command = `${['env', ...assignments, ...argv].map(quote).join(' ')}; echo "[exited $?]"`;
    await terminal.tmux('new-session', '-d', '-x', '200', '-y', '50', '-c', cwd, command, ';', 'set-option', '-g', 'remain-on-exit', 'on');
    terminal.socketPath = (await run('tmux', ['-L', terminal.socket, 'display-message', '-p', '#{socket_path}'], { timeoutMs: 10_000 })).stdout.trim() || null;
    return terminal;
  }

  /** tmux key names (Enter, Tab, C-c, Up) or literal text, in order. */
  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) {
      if (/^(Enter|Tab|Up|Down|Escape|C-[a-z])$/.test(key)) await this.tmux('send-keys', key);
      else await this.tmux('send-keys', '-l', key);
    }
  }

  /** The visible screen, trailing blank lines dropped. Once the program has ended, its last line is "[exited STATUS]". */
  async screen(): Promise<string> {
    const result = await run('tmux', ['-L', this.socket, 'capture-pane', '-p'], { timeoutMs: 10_000 });
    if (result.code !== 0) throw new Error(`tmux capture-pane failed: ${result.stderr.trim()}`);
    return result.stdout.replace(/\s+$/, '');
  }

  /** Resolves with the screen once `ready(screen)` holds; rejects at the deadline, showing the screen. */
  async waitFor(ready: RegExp | ((screen: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const test = typeof ready === 'function' ? ready : (s: string) => ready.test(s);
    let screen = '';
    await eventually(async () => test((screen = await this.screen())), { what: `the terminal to show ${String(ready)}`, timeoutMs, detail: () => screen });
    return screen;
  }

  /** Kills this tmux server and the program in it, and removes its socket; fine when it has ended already. */
  async stop(): Promise<void> {
    await run('tmux', ['-L', this.socket, 'kill-server'], { timeoutMs: 10_000 });
    if (this.socketPath) fs.rmSync(this.socketPath, { force: true });
  }

  private async tmux(...args: string[]): Promise<void> {
    const result = await run('tmux', ['-L', this.socket, ...args], { timeoutMs: 10_000 });
    if (result.code !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr.trim()}`);
  }
}

/** One word for the shell tmux runs the command with. */
function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
