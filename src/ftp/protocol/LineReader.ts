/**
 * Turns the bytes of a control connection into command lines. Pure: it is
 * fed chunks and returns what became complete, so it is tested without a socket.
 *
 * - Lines end with CRLF; a bare LF is accepted too, as most servers do.
 * - Telnet commands (RFC 854: IAC followed by a command byte, IAC IAC for a
 *   literal 0xFF) are removed; clients send "IAC IP IAC DM" before ABOR.
 * - A line longer than the cap is reported once as overlong and skipped up to
 *   its end, so a hostile client cannot make the buffer grow without bound.
 */

const LF = 0x0a;
const CR = 0x0d;
const IAC = 0xff;
/** Telnet WILL/WONT/DO/DONT take one option byte after them. */
const TELNET_OPTION_VERBS = new Set([0xfb, 0xfc, 0xfd, 0xfe]);

export type LineEvent = { kind: 'line'; line: string } | { kind: 'overlong' };

export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;
  /** Bytes of a Telnet sequence cut by a chunk boundary still to drop. */
  private telnetState: 'none' | 'iac' | 'option' = 'none';

  constructor(private readonly maxLineBytes = 8192) {}

  push(data: Buffer): LineEvent[] {
    // Telnet first, then lines: the option byte of "IAC DO <byte>" may be an LF, which ends no line.
    const chunk = this.stripTelnet(data);
    const events: LineEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) break;
      this.append(chunk.subarray(start, nl));
      if (this.skipping) this.skipping = false;
      else if (this.pendingBytes > this.maxLineBytes) events.push({ kind: 'overlong' });
      else events.push({ kind: 'line', line: this.takeLine() });
      this.reset();
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.append(chunk.subarray(start));
      if (!this.skipping && this.pendingBytes > this.maxLineBytes) {
        this.skipping = true;
        this.reset();
        events.push({ kind: 'overlong' });
      }
    }
    return events;
  }

  /** The text received after the last complete line, with Telnet sequences removed. */
  peekPartial(): string {
    return decodeLine(Buffer.concat(this.pending, this.pendingBytes), false);
  }

  /**
   * Takes a pending "ABOR\r" whose LF has not come. Python's ftplib.abort()
   * sends the line with MSG_OOB, which makes its last byte TCP urgent data;
   * on Linux that byte never reaches a normal read, so the LF never arrives.
   */
  takePendingAbort(): boolean {
    if (this.pendingBytes < 5 || this.pendingBytes > 64) return false;
    if (!/^[^A-Za-z]*ABOR\r$/i.test(this.peekPartial())) return false;
    this.reset();
    return true;
  }

  /** Drops everything buffered: after AUTH TLS, plaintext that came early must not run. */
  clear(): void {
    this.reset();
    this.skipping = false;
    this.telnetState = 'none';
  }

  private append(part: Buffer): void {
    if (part.length === 0 || this.skipping) return;
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  private takeLine(): string {
    const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    return decodeLine(bytes, true);
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  private stripTelnet(part: Buffer): Buffer {
    if (this.telnetState === 'none' && part.indexOf(IAC) === -1) return part;
    const out = Buffer.allocUnsafe(part.length);
    let n = 0;
    for (const byte of part) {
      switch (this.telnetState) {
        case 'iac':
          if (byte === IAC) out[n++] = IAC;
          this.telnetState = TELNET_OPTION_VERBS.has(byte) ? 'option' : 'none';
          break;
        case 'option':
          this.telnetState = 'none';
          break;
        default:
          if (byte === IAC) this.telnetState = 'iac';
          else out[n++] = byte;
      }
    }
    return out.subarray(0, n);
  }
}

function decodeLine(bytes: Buffer, dropCR: boolean): string {
  let end = bytes.length;
  if (dropCR && end > 0 && bytes[end - 1] === CR) end--;
  return bytes.toString('utf8', 0, end);
}
