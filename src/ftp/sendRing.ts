/**
 * The copying send path (no sendfile: TLS, SOCKFTP_NO_NATIVE=1, no
 * compiler): a ring of slabs from the server-wide budget (SlabBudget.ts).
 * The next slabs are read while the ones before them are still in the
 * socket, so the socket finds its next bytes queued when it has room, and
 * the file is not read one slab behind the socket. Reads are started in
 * file order and written in that order, whatever order they complete in
 * (through the thread pool they can overtake each other). A slab goes back
 * to the budget in its write's callback, when the kernel has the bytes. A
 * transfer that holds none and waits too long for one reads into a small
 * buffer of its own (FALLBACK_MS).
 *
 * Callbacks rather than a promise per chunk: slabs in the socket are kept in
 * the order they were written, which is the order their callbacks run in,
 * so one bound method serves every write.
 */
import type * as net from 'node:net';
import type { ChunkReader } from '../core/Storage.js';
import { giveBuffer, takeBuffer } from './bufferPool.js';
import { downloadSlabs, type SlabBudget } from './SlabBudget.js';
import { destroyOnAbort } from './zeroCopy.js';

/**
 * How long a transfer that holds no slab waits for one before it falls back
 * to a small buffer of its own. Slabs cycle in a few ms; a slab that stays
 * away is in the socket of a client that stopped reading, and 32 such
 * clients must not stop every other download until their idle timeout.
 * With 50 ms, 200 clients fell back often and cost 0.53 CPU s/GiB against
 * 0.45 with no fallback; 250 ms: 0.49; 1 s: 0.42 (one interleaved run).
 */
const FALLBACK_MS = 250;
const FALLBACK_BYTES = 64 * 1024;

/**
 * Sends the rest of `source` on `socket`; does not end it. Resolves once
 * every byte was handed to the socket; rejects with the first failure (the
 * file's, the socket's, the abort) once no read or write holds a slab.
 */
export function sendRing(source: ChunkReader, socket: net.Socket, signal: AbortSignal, budget: SlabBudget = downloadSlabs): Promise<void> {
  return new Promise<void>((resolve, reject) => new Ring(source, socket, signal, budget, resolve, reject).pump());
}

class Ring {
  /** Slabs taken from the budget and not given back. */
  private held = 0;
  private reading = 0;
  private waitingForSlab = false;
  private nextRead = 0;
  private nextWrite = 0;
  /** The read that found the end of the file; nothing read after it is sent. */
  private last = Infinity;
  /** Reads complete, by their place in the file, until their turn to be written. */
  private readonly read = new Map<number, { slab: Buffer; bytes: number }>();
  /** Slabs in the socket, in the order they were written. */
  private readonly inSocket: Buffer[] = [];
  private failure: unknown = null;
  private settled = false;
  /** The buffer of its own after a wait too long (FALLBACK_MS), and whether it is free to read into. */
  private own: Buffer | null = null;
  private ownFree = false;
  private fallbackTimer: NodeJS.Timeout | null = null;
  private readonly undoAbort: () => void;

  constructor(
    private readonly source: ChunkReader,
    private readonly socket: net.Socket,
    private readonly signal: AbortSignal,
    private readonly budget: SlabBudget,
    private readonly resolve: () => void,
    private readonly reject: (err: unknown) => void,
  ) {
    budget.join();
    // An abort destroys the socket (its pending writes then fail) and stops a wait for a slab.
    const undoDestroy = destroyOnAbort(socket, signal);
    const onAbort = () => this.fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    this.undoAbort = () => {
      undoDestroy();
      signal.removeEventListener('abort', onAbort);
    };
  }

  pump(): void {
    if (this.signal.aborted) this.failure ??= this.signal.reason;
    if (this.failure === null) {
      this.writeInOrder();
      this.readAhead();
    }
    this.settleWhenIdle();
  }

  private writeInOrder(): void {
    for (let done = this.read.get(this.nextWrite); done && this.nextWrite <= this.last; done = this.read.get(this.nextWrite)) {
      this.read.delete(this.nextWrite++);
      const { slab, bytes } = done;
      if (bytes === 0) {
        this.giveBack(slab);
        continue;
      }
      this.inSocket.push(slab);
      this.socket.write(bytes === slab.length ? slab : slab.subarray(0, bytes), this.onWritten);
    }
  }

  private readAhead(): void {
    // Past the size the file had when opened only one read at a time: it finds the end (or that the file grew).
    const more = () => this.reading === 0 || this.source.position < this.source.size;
    while (this.last === Infinity && !this.waitingForSlab && this.held < this.budget.share() && more()) {
      let slab = this.budget.take();
      if (!slab && this.ownFree) {
        slab = this.own;
        this.ownFree = false;
      }
      if (!slab) {
        this.waitingForSlab = true;
        this.budget.wait(this.onSlab);
        if (this.own === null && this.held === 0) this.fallbackTimer = setTimeout(this.fallBack, FALLBACK_MS);
        return;
      }
      this.held++;
      this.startRead(slab);
    }
  }

  private startRead(slab: Buffer): void {
    const place = this.nextRead++;
    this.reading++;
    this.source.readInto(slab).then(
      (bytes) => {
        this.reading--;
        // A regular file reads short only at its end.
        if (bytes < slab.length) this.last = Math.min(this.last, place);
        if (this.failure !== null || place > this.last) this.giveBack(slab);
        else this.read.set(place, { slab, bytes });
        this.pump();
      },
      (err: unknown) => {
        this.reading--;
        this.giveBack(slab);
        this.fail(err);
      },
    );
  }

  private readonly onSlab = (slab: Buffer): void => {
    this.stopWaiting();
    this.held++;
    if (this.failure === null) this.startRead(slab);
    else this.giveBack(slab);
    this.pump();
  };

  /** Every write's callback runs, also on a destroyed socket; after it the kernel no longer needs the slab. */
  private readonly onWritten = (err: Error | null | undefined): void => {
    this.giveBack(this.inSocket.shift()!);
    if (err) this.fail(err);
    else this.pump();
  };

  private readonly fallBack = (): void => {
    this.fallbackTimer = null;
    if (!this.waitingForSlab) return;
    this.budget.cancel(this.onSlab);
    this.stopWaiting();
    this.own = takeBuffer(FALLBACK_BYTES);
    this.ownFree = true;
    this.pump();
  };

  private stopWaiting(): void {
    this.waitingForSlab = false;
    if (this.fallbackTimer) clearTimeout(this.fallbackTimer);
    this.fallbackTimer = null;
  }

  private giveBack(slab: Buffer): void {
    this.held--;
    if (slab === this.own) this.ownFree = true;
    else this.budget.give(slab);
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    if (this.waitingForSlab) {
      this.budget.cancel(this.onSlab);
      this.stopWaiting();
    }
    this.settleWhenIdle();
  }

  private settleWhenIdle(): void {
    if (this.settled || this.reading > 0 || this.inSocket.length > 0 || this.waitingForSlab) return;
    if (this.failure === null && this.nextWrite <= this.last) return;
    this.settled = true;
    // Reads past the end, or left unwritten by a failure.
    for (const { slab } of this.read.values()) this.giveBack(slab);
    this.read.clear();
    if (this.own) giveBuffer(this.own);
    this.undoAbort();
    this.budget.leave();
    if (this.failure === null) this.resolve();
    else this.reject(this.failure);
  }
}
