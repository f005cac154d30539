/** One FTP control connection: commands out, replies in, one at a time, each with a deadline. */
import * as net from 'node:net';
import { LOOPBACK } from '../paths.js';
import { takeReplies, type Reply } from './replies.js';

/** A reply that takes longer than this means the server is stuck (big transfers pass their own). */
const REPLY_TIMEOUT_MS = 60_000;

/** A server's refusal: the reply that did not match what the command needed. */
export class ReplyError extends Error {
  constructor(
    readonly command: string,
    readonly reply: Reply,
  ) {
    super(`${command.split(' ')[0]}: ${reply.lines.join(' | ')}`);
    this.name = 'ReplyError';
  }
}

export class ControlChannel {
  private text = '';
  private readonly replies: Reply[] = [];
  private readonly waiters: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;
  /** What the next reply answers, for the message when it never comes (the verb only: no passwords). */
  private awaited = 'the greeting';

  private constructor(private readonly socket: net.Socket) {
    // Without TCP_NODELAY, a command written while the previous reply is unacknowledged waits for
    // the delayed ACK (40 ms): one session could not do more than about 23 transfers a second.
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => this.onText(d));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('control connection closed')));
  }

  /** Connects and waits for the server's 220 greeting; 421 (too many clients) and anything else fail. */
  static async open(port: number, timeoutMs = REPLY_TIMEOUT_MS): Promise<ControlChannel> {
    const channel = new ControlChannel(net.connect({ host: LOOPBACK, port }));
    try {
      channel.check('(greeting)', await channel.nextReply(timeoutMs), [220]);
    } catch (err) {
      channel.close();
      throw err;
    }
    return channel;
  }

  /** Sends one command and resolves with its (first) reply. */
  command(line: string, timeoutMs = REPLY_TIMEOUT_MS): Promise<Reply> {
    if (!this.failure) this.socket.write(`${line}\r\n`);
    this.awaited = line.split(' ')[0]!;
    return this.nextReply(timeoutMs);
  }

  /** Sends one command and insists on one of `codes`. */
  async expect(line: string, codes: readonly number[], timeoutMs = REPLY_TIMEOUT_MS): Promise<Reply> {
    return this.check(line, await this.command(line, timeoutMs), codes);
  }

  /** The next reply, such as the 226 that ends a transfer. */
  nextReply(timeoutMs = REPLY_TIMEOUT_MS): Promise<Reply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`no reply to ${this.awaited} in ${timeoutMs} ms`)), timeoutMs);
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          fn(value);
        };
      this.waiters.push({ resolve: settle(resolve), reject: settle(reject) });
    });
  }

  check(command: string, reply: Reply, codes: readonly number[]): Reply {
    if (!codes.includes(reply.code)) throw new ReplyError(command, reply);
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }

  private onText(chunk: string): void {
    const { replies, rest } = takeReplies(this.text + chunk);
    this.text = rest;
    for (const reply of replies) {
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(reply);
      else this.replies.push(reply);
    }
  }

  /** The connection is unusable from here on: every waiting and later call rejects. */
  private fail(err: Error): void {
    this.failure ??= err;
    this.socket.destroy();
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
  }
}
