/**
 * The interactive shell of `sockftp connect`: reads lines (from a terminal
 * with a prompt, or from a pipe as a script), runs each as a command, prints
 * one result line or one error line, and remembers whether anything failed.
 */
import * as readline from 'node:readline';
import { FtpClient, toClientError, type ConnectionOptions, type Credentials, type ServerAddress } from '../FtpClient.js';
import { CommandFailed, SHELL_COMMANDS, type ShellContext } from './commands.js';
import { MESSAGES, type Lang } from './messages.js';
import { splitFlags, splitWords } from './parseLine.js';
import { formatHostForUrl } from '../../protocol/hosts.js';

export interface ShellOptions {
  readonly address: ServerAddress;
  readonly credentials: Credentials;
  /** Active mode, TLS: kept for every connection, also after connme. */
  readonly connection: ConnectionOptions;
  readonly lang: Lang;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Show a prompt and keep going after errors the way a person expects. */
  readonly interactive: boolean;
}

export class Shell {
  private connection: FtpClient | null = null;
  private stopped = false;
  private failures = 0;
  private readonly ctx: ShellContext;

  constructor(private readonly options: ShellOptions) {
    const msg = MESSAGES[options.lang];
    this.ctx = {
      msg,
      lang: options.lang,
      print: (line) => this.print(line),
      client: () => {
        if (!this.connection || this.connection.closed) throw new CommandFailed(msg.notConnected());
        return this.connection;
      },
      connect: async () => {
        this.connection = await this.open();
        this.print(msg.newConnection(this.target));
      },
      disconnect: async () => {
        await this.connection?.quit();
        this.connection = null;
      },
      stop: () => {
        this.stopped = true;
      },
    };
  }

  private open(): Promise<FtpClient> {
    return FtpClient.connect(this.options.address, this.options.credentials, this.options.connection);
  }

  private get target(): string {
    return `${formatHostForUrl(this.options.address.host)}:${this.options.address.port}`;
  }

  /** Connects, runs every line until byebye or the end of input, and returns the exit code. */
  async run(): Promise<number> {
    const msg = this.ctx.msg;
    try {
      this.connection = await this.open();
    } catch (err) {
      this.print(msg.error(toClientError(err).message));
      return 1;
    }
    this.print(msg.connected(this.target));
    const rl = readline.createInterface({
      input: this.options.input,
      output: this.options.interactive ? this.options.output : undefined,
      terminal: this.options.interactive,
      historySize: this.options.interactive ? 1000 : 0,
    });
    rl.setPrompt('sockftp> ');
    if (this.options.interactive) rl.prompt();
    for await (const line of rl) {
      await this.execute(line);
      if (this.stopped) break;
      if (this.options.interactive) rl.prompt();
    }
    rl.close();
    if (!this.stopped) await this.connection?.quit();
    return this.failures > 0 ? 1 : 0;
  }

  /** Runs one line; a failure prints one line and counts towards the exit code. */
  async execute(line: string): Promise<void> {
    const msg = this.ctx.msg;
    const words = splitWords(line.trim());
    if (words === null) return this.fail(msg.unclosedQuote());
    if (words.length === 0) return;
    const [name, ...rest] = words as [string, ...string[]];
    const command = SHELL_COMMANDS.get(name.toLowerCase());
    if (!command) return this.fail(msg.unknownCommand(name));
    const { flags, args } = command.flags ? splitFlags(rest) : { flags: new Set<string>(), args: rest };
    const badFlag = [...flags].some((f) => !command.flags!.includes(f));
    if (badFlag || args.length < command.minArgs || args.length > command.maxArgs) return this.fail(msg.usage(command.usage));
    try {
      await command.run(this.ctx, args, flags);
    } catch (err) {
      if (err instanceof CommandFailed) this.fail(err.message);
      else this.fail(msg.error(toClientError(err).message));
    }
  }

  private fail(line: string): void {
    this.failures++;
    this.print(line);
  }

  private print(line: string): void {
    this.options.output.write(line + '\n');
  }
}
