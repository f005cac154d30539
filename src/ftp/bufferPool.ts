/**
 * Transfer buffers, reused across transfers: a server moving gigabytes
 * through fresh 1 MiB buffers leaves the garbage collector far behind and its
 * RSS with it. Buffers come in the few sizes transferBuffers.ts hands out;
 * a bounded number of bytes is kept for reuse, the rest is left to the GC.
 */
const RETAINED_BYTES = 8 * 1024 * 1024;

const free = new Map<number, Buffer[]>();
let retained = 0;

export function takeBuffer(size: number): Buffer {
  const list = free.get(size);
  const buffer = list?.pop();
  if (buffer) {
    retained -= size;
    return buffer;
  }
  return Buffer.allocUnsafeSlow(size);
}

/** Gives a buffer back; the caller must not touch it afterwards. */
export function giveBuffer(buffer: Buffer): void {
  if (retained + buffer.length > RETAINED_BYTES) return;
  const list = free.get(buffer.length);
  if (list) list.push(buffer);
  else free.set(buffer.length, [buffer]);
  retained += buffer.length;
}
