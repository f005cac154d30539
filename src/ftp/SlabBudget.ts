/**
 * The memory every download on the copying path may hold at once, as slabs
 * of one size handed out and given back. A chunk size chosen per transfer
 * from the count running at its start (transferBuffers.ts, for uploads)
 * sums to far more than its budget when transfers start one after another:
 * the k-th gets budget/k, so 200 of them hold budget x H(200), about 6
 * times it, and the last ones are left with 64 KiB chunks, each a read and
 * a socket write of its own. Here the slab stays big and what shrinks is
 * how many slabs a transfer holds: up to `maxDepth` alone, a fair share of
 * the budget (at least one) as transfers grow in number, and a transfer
 * that finds the budget spent waits for the next slab given back, first
 * come, first served. Slabs are made on first use and kept.
 */
export type SlabWaiter = (slab: Buffer) => void;

export class SlabBudget {
  private readonly free: Buffer[] = [];
  private readonly waiting: SlabWaiter[] = [];
  private made = 0;
  private users = 0;

  constructor(
    readonly slabBytes: number,
    readonly totalSlabs: number,
    private readonly maxDepth: number,
  ) {}

  /** A transfer starts drawing on the budget; it calls leave() when it holds nothing any more. */
  join(): void {
    this.users++;
  }

  leave(): void {
    this.users--;
  }

  /** How many slabs one transfer may hold right now. */
  share(): number {
    return Math.max(1, Math.min(this.maxDepth, Math.floor(this.totalSlabs / Math.max(1, this.users))));
  }

  /** A slab, or null when the budget is spent (then wait()). */
  take(): Buffer | null {
    const slab = this.free.pop();
    if (slab) return slab;
    if (this.made === this.totalSlabs) return null;
    this.made++;
    return Buffer.allocUnsafeSlow(this.slabBytes);
  }

  /** `waiter` is handed the next slab given back; it owns it from then on. */
  wait(waiter: SlabWaiter): void {
    this.waiting.push(waiter);
  }

  /** Withdraws a wait() that no slab has answered yet. */
  cancel(waiter: SlabWaiter): void {
    const i = this.waiting.indexOf(waiter);
    if (i !== -1) this.waiting.splice(i, 1);
  }

  /** Gives a slab back, to the longest waiter if there is one; the caller must not touch it afterwards. */
  give(slab: Buffer): void {
    const next = this.waiting.shift();
    if (next) next(slab);
    else this.free.push(slab);
  }

  /** Slabs not handed out now (made or still to be made): all of them once every transfer is over. */
  available(): number {
    return this.totalSlabs - this.made + this.free.length;
  }
}

/**
 * The server-wide budget of downloads: 16 MiB in 512 KiB slabs. A lone
 * transfer holds up to 4 (2 MiB: reads ahead while the socket writes);
 * 200 transfers hold one each, 32 of them at a time. On the bench
 * (bench/README.md, "The JavaScript send path") 512 KiB slabs sent one
 * stream with 0.30 CPU s/GiB against 0.41 for 256 KiB ones, and a 32 MiB
 * budget added 19 MiB to the peak RSS at 200 clients and nothing to speed.
 */
export const downloadSlabs = new SlabBudget(512 * 1024, 32, 4);
