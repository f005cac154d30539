/**
 * The benchmark's FTP session: raw sockets, binary type, passive data
 * connections, nothing the measurement does not need. A transfer counts as
 * done only when both the data stream has ended and the final reply has
 * arrived, whichever comes last (basic-ftp's rule).
 */
import { ControlChannel } from './ControlChannel.js';
import { openReader, openWriter, sendBytes } from './dataSockets.js';
import { passivePort } from './replies.js';

export interface Login {
  readonly user: string;
  readonly password: string;
}

/** The end of a 1 GiB transfer at a slow server's pace may be minutes away. */
const TRANSFER_END_TIMEOUT_MS = 600_000;
const PRELIMINARY = [125, 150];
const COMPLETE = [226, 250];
/** Replies that mean "this server does not have that command" (vsftpd and MLSD). */
const NOT_IMPLEMENTED = [500, 502, 504];
const QUIT_TIMEOUT_MS = 5_000;

export class BenchClient {
  /** EPSV first (RFC 2428); a server that refuses it once gets PASV from then on. */
  private extendedPassive = true;

  private constructor(private readonly control: ControlChannel) {}

  /** Connects, logs in and switches to binary. */
  static async login(port: number, login: Login): Promise<BenchClient> {
    const control = await ControlChannel.open(port);
    try {
      await control.expect(`USER ${login.user}`, [331]);
      await control.expect(`PASS ${login.password}`, [230]);
      await control.expect('TYPE I', [200]);
    } catch (err) {
      control.close();
      throw err;
    }
    return new BenchClient(control);
  }

  /** Downloads `path` and returns how many bytes came. */
  async retrieve(path: string): Promise<number> {
    const line = `RETR ${path}`;
    const counted = await this.download(line, false);
    if (!counted) throw new Error(`${line}: the server does not implement RETR`);
    return counted.bytes;
  }

  /** Uploads `bytes` bytes of random content as `path`. */
  async store(path: string, bytes: number): Promise<void> {
    const socket = await openWriter(await this.passive());
    const line = `STOR ${path}`;
    try {
      this.control.check(line, await this.control.command(line), PRELIMINARY);
      await sendBytes(socket, bytes);
    } catch (err) {
      socket.destroy();
      throw err;
    }
    this.control.check(line, await this.control.nextReply(TRANSFER_END_TIMEOUT_MS), COMPLETE);
  }

  /** LIST or MLSD of a directory: its size in bytes and lines; null when the server lacks the verb. */
  listing(verb: 'LIST' | 'MLSD', path: string): Promise<{ bytes: number; lines: number } | null> {
    return this.download(`${verb} ${path}`, true);
  }

  /** QUIT, politely but briefly: the measurement is over, so a slow goodbye is not waited for long. */
  async quit(): Promise<void> {
    await this.control.command('QUIT', QUIT_TIMEOUT_MS).catch(() => undefined);
    this.control.close();
  }

  /** Closes the connection without QUIT (after a failure). */
  close(): void {
    this.control.close();
  }

  /** One command whose answer comes on a data connection; null when the server does not implement it. */
  private async download(line: string, countLines: boolean): Promise<{ bytes: number; lines: number } | null> {
    const reader = await openReader(await this.passive(), countLines);
    try {
      const first = await this.control.command(line);
      if (NOT_IMPLEMENTED.includes(first.code)) {
        reader.socket.destroy();
        return null;
      }
      this.control.check(line, first, PRELIMINARY);
    } catch (err) {
      reader.socket.destroy();
      throw err;
    }
    const [counted, final] = await Promise.all([reader.ended, this.control.nextReply(TRANSFER_END_TIMEOUT_MS)]);
    this.control.check(line, final, COMPLETE);
    return counted;
  }

  private async passive(): Promise<number> {
    if (this.extendedPassive) {
      const reply = await this.control.command('EPSV');
      if (reply.code === 229) return passivePort(reply);
      if (!NOT_IMPLEMENTED.includes(reply.code)) this.control.check('EPSV', reply, [229]);
      this.extendedPassive = false;
    }
    return passivePort(await this.control.expect('PASV', [227]));
  }
}
