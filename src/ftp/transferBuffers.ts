/**
 * How big an upload's buffers are (and a stream download's chunks, TYPE A;
 * downloads on the copying path draw on SlabBudget.ts instead). One stream
 * wants 1 MiB chunks (file reads with 1 MiB buffers send 3-4x faster than
 * with 64 KiB); 200 streams at once would hold hundreds of MiB that way
 * while each only moves a few MiB/s. So the chunk shrinks as transfers grow
 * in number. Each is sized by the count when it starts, so transfers that
 * start one after another sum to more than the budget (SlabBudget.ts says
 * by how much).
 */
const MAX_CHUNK = 1024 * 1024;
const MIN_CHUNK = 64 * 1024;
/** Roughly what all transfers' buffers may hold together; each holds about two chunks. */
const BUDGET = 24 * 1024 * 1024;

export function chunkBytesFor(activeTransfers: number): number {
  const share = Math.floor(BUDGET / 2 / Math.max(1, activeTransfers));
  // Whole multiples of 64 KiB, the size the kernel and libuv work in.
  return Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, share - (share % MIN_CHUNK)));
}

/**
 * Counts the transfer commands running on the whole server, from the moment
 * they start (before the file is opened, which is when the chunk size is
 * chosen) to their final reply.
 */
export class TransferCounter {
  active = 0;

  /** The chunk size for a transfer starting now, counted in `active` already. */
  chunkBytes(): number {
    return chunkBytesFor(this.active);
  }
}
