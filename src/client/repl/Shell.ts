/**
 * The interactive shell of `sockftp connect`: reads lines (from a terminal
 * with a prompt, Tab completion, history and Ctrl-C, or from a pipe as a
 * script), runs each as a command, prints one result line or one error line,
 * and remembers whether anything failed.
 *
 * Ctrl-C during a command stops it (a transfer with ABOR) and the prompt
 * comes back with the connection still open. At the prompt, as in Node's
 * REPL, Ctrl-C clears what was typed; on an empty line it says how to quit,
 * and a second one in a row quits.
 */
import * as readline from 'node:readline';
import { toClientError } from '../ClientError.js';
import { FtpClient, formatTarget, type Destination } from '../FtpClient.js';
import { SHELL_COMMANDS } from './commands.js';
import { Completer } from './completion.js';
import { HISTORY_SIZE, loadHistory, saveHistory } from './history.js';
import { MESSAGES, type Lang, type Messages } from './messages.js';
import { splitFlags, splitWords } from './parseLine.js';
import { ProgressBar } from './ProgressBar.js';
import { CommandFailed, type ShellContext } from './ShellContext.js';

export interface ShellOptions {
  readonly destination: Destination;
  /** Where `open TARGET` goes: HOST[:PORT] or a URL, with the session's flags and credentials. */
  readonly resolve: (target: string) => Promise<Destination>;
  readonly lang: Lang;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { readonly columns?: number };
  /** A person at a terminal: a prompt, Tab completion, history and Ctrl-C; otherwise a script. */
  readonly interactive: boolean;
  /** Progress bars on transfers: stdout is a terminal. */
  readonly progress: boolean;
  /** --verify: every transfer is verified. */
  readonly verify: boolean;
  /** --retries: reconnects per file after a lost connection. */
  readonly retries: number;
  /** Where the history is kept across sessions; null for none. */
  readonly historyFile: string | null;
}

export class Shell {
  private destination: Destination;
  private connection: FtpClient | null = null;
  private stopped = false;
  private failures = 0;
  /** The running command's Ctrl-C. */
  private running: AbortController | null = null;
  /** The progress bar last shown, so a line printed meanwhile goes above it. */
  private bar: ProgressBar | null = null;
  /** Ctrl-C on an empty prompt said how to quit; the next one quits. */
  private quitArmed = false;
  private quitByInterrupt = false;
  private readonly msg: Messages;
  private readonly completer: Completer;

  constructor(private readonly options: ShellOptions) {
    this.destination = options.destination;
    this.msg = MESSAGES[options.lang];
    this.completer = new Completer(SHELL_COMMANDS, () => (this.running || !this.connection || this.connection.closed ? null : this.connection));
  }

  /** Connects, runs every line until byebye or the end of input, and returns the exit code. */
  async run(): Promise<number> {
    try {
      this.connection = await this.connect(this.destination);
    } catch (err) {
      this.print(this.msg.error(toClientError(err).text(this.options.lang)));
      return 1;
    }
    this.print(this.msg.connected(formatTarget(this.destination.address)));
    const rl = this.readline();
    if (this.options.interactive) rl.prompt();
    for await (const line of rl) {
      this.quitArmed = false;
      await this.execute(line);
      if (this.stopped) break;
      if (this.options.interactive) rl.prompt();
    }
    rl.close();
    await this.disconnect();
    if (this.quitByInterrupt) this.print(this.msg.bye());
    return this.failures > 0 ? 1 : 0;
  }

  /** Runs one line; a failure prints one line and counts towards the exit code. */
  async execute(line: string): Promise<void> {
    const msg = this.msg;
    const words = splitWords(line.trim());
    if (words === null) return this.fail(msg.unclosedQuote());
    if (words.length === 0) return;
    const [name, ...rest] = words as [string, ...string[]];
    const command = SHELL_COMMANDS.get(name.toLowerCase());
    if (!command) return this.fail(msg.unknownCommand(name));
    const { flags, args } = command.flags ? splitFlags(rest) : { flags: new Set<string>(), args: rest };
    const badFlag = [...flags].some((f) => !command.flags!.includes(f));
    if (badFlag || args.length < command.minArgs || args.length > command.maxArgs) return this.fail(msg.usage(command.usage));
    // A listing Tab started must end first: the connection runs one command at a time.
    await this.completer.idle();
    const controller = new AbortController();
    this.running = controller;
    try {
      await command.run(this.context(controller.signal), args, flags);
    } catch (err) {
      if (err instanceof CommandFailed) this.fail(err.message);
      else {
        const failure = toClientError(err);
        // An interruption is what was asked for, said plainly rather than as an error.
        const text = failure.text(this.options.lang);
        this.fail(failure.kind === 'interrupted' ? text : msg.error(text));
      }
    } finally {
      this.running = null;
      this.completer.forget();
    }
  }

  private context(signal: AbortSignal): ShellContext {
    const msg = this.msg;
    return {
      msg,
      lang: this.options.lang,
      signal,
      verify: this.options.verify,
      retry: {
        retries: this.options.retries,
        // On the progress line while one is shown; a line of its own otherwise (a script's output).
        onRetry: ({ attempt, of, reason }) => {
          const line = msg.retrying(attempt, of, reason.text(this.options.lang));
          if (this.bar?.active) this.bar.say(line);
          else this.print(line);
        },
      },
      print: (line) => this.print(line),
      fail: (line) => this.fail(line),
      progress: () => (this.bar = this.options.progress ? new ProgressBar(this.options.output, msg.eta()) : null),
      client: () => {
        if (!this.connection || this.connection.closed) throw new CommandFailed(msg.notConnected());
        return this.connection;
      },
      connect: async () => {
        this.connection = await this.connect(this.destination, signal);
        this.print(msg.newConnection(formatTarget(this.destination.address)));
      },
      open: async (target) => {
        const destination = await this.options.resolve(target);
        const connection = await this.connect(destination, signal);
        await this.disconnect();
        this.destination = destination;
        this.connection = connection;
        this.print(msg.connected(formatTarget(destination.address)));
      },
      disconnect: () => this.disconnect(),
      stop: () => {
        this.stopped = true;
      },
    };
  }

  private connect(d: Destination, signal?: AbortSignal): Promise<FtpClient> {
    return FtpClient.connect(d.address, d.credentials, d.options, signal);
  }

  private async disconnect(): Promise<void> {
    await this.connection?.quit();
    this.connection = null;
  }

  private readline(): readline.Interface {
    const { interactive, historyFile } = this.options;
    const keepHistory = interactive && historyFile !== null;
    const rl = readline.createInterface({
      input: this.options.input,
      output: interactive ? this.options.output : undefined,
      terminal: interactive,
      history: keepHistory ? loadHistory(historyFile) : [],
      historySize: keepHistory ? HISTORY_SIZE : 0,
      removeHistoryDuplicates: true,
      completer: interactive
        ? (line: string, callback: (err: null, result: [string[], string]) => void) =>
            void this.completer.complete(line).then((result) => callback(null, result))
        : undefined,
    });
    rl.setPrompt('sockftp> ');
    if (keepHistory) rl.on('history', (history: string[]) => saveHistory(historyFile, history));
    if (interactive) rl.on('SIGINT', () => this.interrupt(rl));
    return rl;
  }

  private interrupt(rl: readline.Interface): void {
    if (this.running) return this.running.abort();
    if (rl.line !== '') {
      // Ctrl-E, Ctrl-U: to the end of the line, then delete all of it.
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
      this.quitArmed = false;
      return;
    }
    this.options.output.write('\n');
    if (this.quitArmed) {
      this.quitByInterrupt = true;
      rl.close();
      return;
    }
    this.quitArmed = true;
    this.print(this.msg.quitHint());
    rl.prompt();
  }

  private fail(line: string): void {
    this.failures++;
    this.print(line);
  }

  private print(line: string): void {
    if (this.bar) this.bar.printAbove(line);
    else this.options.output.write(line + '\n');
  }
}
