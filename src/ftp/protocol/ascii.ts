/**
 * TYPE A line-ending conversion (RFC 959 3.1.1.1): files keep Unix LF on
 * disk, the wire carries CRLF. Both transforms keep state across chunk
 * boundaries, so a CRLF split between two chunks is still one line end.
 */
import { Transform, type TransformCallback } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;
const CR_BYTE = Buffer.from([CR]);

/** Disk to wire: a bare LF becomes CRLF; a CRLF already in the file is left alone, not doubled. */
export class LfToCrlf extends Transform {
  private previous = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    const parts: Buffer[] = [];
    let start = 0;
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
      const before = lf > 0 ? chunk[lf - 1] : this.previous;
      if (before === CR) continue;
      parts.push(chunk.subarray(start, lf), CR_BYTE);
      start = lf;
    }
    if (chunk.length > 0) this.previous = chunk[chunk.length - 1]!;
    if (parts.length === 0) callback(null, chunk);
    else {
      parts.push(chunk.subarray(start));
      callback(null, Buffer.concat(parts));
    }
  }
}

/** Wire to disk: CRLF becomes LF; a CR not followed by LF is data and stays. */
export class CrlfToLf extends Transform {
  /** A CR at the very end of the previous chunk, held until we see what follows it. */
  private heldCR = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    const parts: Buffer[] = [];
    let start = 0;
    if (this.heldCR) {
      this.heldCR = false;
      if (chunk[0] !== LF) parts.push(CR_BYTE);
    }
    for (let cr = chunk.indexOf(CR); cr !== -1; cr = chunk.indexOf(CR, cr + 1)) {
      if (cr === chunk.length - 1) {
        parts.push(chunk.subarray(start, cr));
        this.heldCR = true;
        start = chunk.length;
        break;
      }
      if (chunk[cr + 1] === LF) {
        parts.push(chunk.subarray(start, cr));
        start = cr + 1;
      }
    }
    parts.push(chunk.subarray(start));
    callback(null, parts.length === 1 ? parts[0] : Buffer.concat(parts));
  }

  override _flush(callback: TransformCallback): void {
    if (this.heldCR) this.push(CR_BYTE);
    callback();
  }
}
