/**
 * A bare control connection for tests that must send exactly what they mean:
 * malformed commands, pipelined lines, Telnet bytes. It parses replies
 * (RFC 959 4.2, multi-line included) and opens passive data connections.
 */
import { once } from 'node:events';
import * as net from 'node:net';

export interface FtpReply {
  readonly code: number;
  /** Every line of the reply, CRLF removed. */
  readonly lines: string[];
  /** The text of a single-line reply, or all lines joined by "\n". */
  readonly text: string;
}

const REPLY_TIMEOUT_MS = 15_000;

export class ControlConnection {
  private buffer = '';
  private readonly replies: FtpReply[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  /** The data connections passive() opened that are still open: close() closes them too. */
  private readonly dataSockets = new Set<net.Socket>();

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      this.parse();
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, host = '127.0.0.1'): Promise<{ conn: ControlConnection; greeting: FtpReply }> {
    const socket = net.connect({ port, host });
    await once(socket, 'connect');
    const conn = new ControlConnection(socket);
    return { conn, greeting: await conn.read() };
  }

  /** Like open(), but from `localAddress` and with `preamble` sent first (a load balancer's PROXY header). */
  static async openFrom(
    port: number,
    localAddress: string,
    preamble: string | Buffer = '',
    host = '127.0.0.1',
  ): Promise<{ conn: ControlConnection; greeting: FtpReply }> {
    const socket = net.connect({ port, host, localAddress });
    await once(socket, 'connect');
    if (preamble.length > 0) socket.write(preamble);
    const conn = new ControlConnection(socket);
    return { conn, greeting: await conn.read() };
  }

  /** Opens a connection and logs in anonymously. */
  static async login(port: number, host = '127.0.0.1', user = 'anonymous'): Promise<ControlConnection> {
    const { conn } = await ControlConnection.open(port, host);
    await conn.expect('USER ' + user, 331);
    await conn.expect('PASS test@', 230);
    return conn;
  }

  /** Replies received and not read yet. */
  get unread(): number {
    return this.replies.length;
  }

  get closed(): boolean {
    return this.ended && this.replies.length === 0;
  }

  /** Sends one command line and reads its reply. */
  async send(line: string): Promise<FtpReply> {
    this.write(line + '\r\n');
    return this.read();
  }

  /** Sends a command and fails unless the reply has this code. */
  async expect(line: string, code: number): Promise<FtpReply> {
    const reply = await this.send(line);
    if (reply.code !== code) throw new Error(`${line}: expected ${code}, got ${reply.code} ${reply.text}`);
    return reply;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next reply; rejects when the server closes first or nothing comes in time. */
  async read(timeoutMs = REPLY_TIMEOUT_MS): Promise<FtpReply> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length === 0) {
      if (this.ended) throw new Error('connection closed before a reply');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms (buffer: ${JSON.stringify(this.buffer)})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.replies.shift()!;
  }

  /** Resolves once the server has closed the connection. */
  async waitClosed(): Promise<void> {
    if (!this.ended) await once(this.socket, 'close');
  }

  /** EPSV, then connects the data socket; the caller sends the transfer command. */
  async passive(): Promise<net.Socket> {
    const reply = await this.expect('EPSV', 229);
    const port = Number(/\|\|\|(\d+)\|/.exec(reply.text)![1]);
    const data = net.connect({ port, host: this.socket.remoteAddress! });
    // Tests that abort transfers see the server reset this socket; that is the behaviour under test, not a crash.
    data.on('error', () => undefined);
    this.dataSockets.add(data);
    data.once('close', () => this.dataSockets.delete(data));
    await once(data, 'connect');
    return data;
  }

  /** Runs a command that sends data to us (LIST, RETR...): returns the 150 reply, the bytes and the final reply. */
  async receive(command: string): Promise<{ preliminary: FtpReply; data: Buffer; final: FtpReply }> {
    const socket = await this.passive();
    const received = readAll(socket);
    const preliminary = await this.send(command);
    if (preliminary.code >= 300) {
      socket.destroy();
      return { preliminary, data: Buffer.alloc(0), final: preliminary };
    }
    const data = await received;
    return { preliminary, data, final: await this.read() };
  }

  /** Runs a command that takes data from us (STOR, APPE...). */
  async sendData(command: string, payload: Buffer): Promise<{ preliminary: FtpReply; final: FtpReply }> {
    const socket = await this.passive();
    const preliminary = await this.send(command);
    if (preliminary.code >= 300) {
      socket.destroy();
      return { preliminary, final: preliminary };
    }
    socket.end(payload);
    return { preliminary, final: await this.read() };
  }

  /** Closes the control connection and any data connection passive() opened on it; for t.after(), whatever the test did. */
  close(): void {
    for (const data of this.dataSockets) data.destroy();
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const reply = takeReply(this.buffer);
      if (!reply) break;
      this.buffer = this.buffer.slice(reply.consumed);
      this.replies.push(reply.reply);
    }
    this.waiter?.();
  }
}

function takeReply(buffer: string): { reply: FtpReply; consumed: number } | null {
  const lines: string[] = [];
  let pos = 0;
  let code: string | null = null;
  for (;;) {
    const end = buffer.indexOf('\r\n', pos);
    if (end === -1) return null;
    const line = buffer.slice(pos, end);
    pos = end + 2;
    lines.push(line);
    if (code === null) {
      if (!/^\d{3}[ -]/.test(line)) throw new Error(`malformed reply line: ${JSON.stringify(line)}`);
      code = line.slice(0, 3);
      if (line[3] === ' ') break;
    } else if (line.startsWith(code + ' ')) break;
  }
  const text = lines.length === 1 ? lines[0].slice(4) : lines.join('\n');
  return { reply: { code: Number(code), lines, text }, consumed: pos };
}

export async function readAll(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await once(socket, 'close');
  return Buffer.concat(chunks);
}
