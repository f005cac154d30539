/**
 * How many of libuv's thread-pool threads the calls into one mount may hold.
 *
 * A call into a mount that does not answer (a hung NFS server, a stuck FUSE
 * daemon) holds its thread until the mount answers, perhaps for good. The
 * pool is shared with everything else the process does off the event loop:
 * scrypt for every login (auth/Semaphore.ts lets two run at once), listings'
 * readdirStat batches, reads and writes after a disk wait. Unbounded, four
 * calls into one hung mount would take the whole default pool, and then every
 * login and listing of every session would wait for that mount too. So each
 * such mount gets a lane: at most THREADS_PER_MOUNT of its calls in the pool
 * at once, and all lanes together at most LANE_THREADS; the calls beyond that
 * wait here, in JavaScript, where they hold nothing but the sessions that
 * made them.
 *
 * The pool is not made bigger. libuv reads UV_THREADPOOL_SIZE once, when the
 * pool starts, and Node's ES module loader starts it (reading our modules)
 * before the first line of src/cli/main.ts runs: the process has its 4 pool
 * threads by then, and setting the variable there changes nothing (measured:
 * it does only from a CommonJS entry). So the lanes take half of the pool
 * the process started with and leave the other half to the work above: at
 * the default, one hung mount holds one thread, two hung mounts two, and
 * logins and local listings keep two whatever happens to the mounts. An
 * operator who serves several network mounts sets UV_THREADPOOL_SIZE in the
 * service's environment, and the lanes grow with it.
 */

/** The pool's size as libuv read it at the start (it accepts 1 to 1024). */
const POOL_THREADS = Math.min(Math.max(Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4, 1), 1024);
/** Threads all lanes together may hold: half the pool. */
export const LANE_THREADS = Math.max(1, Math.floor(POOL_THREADS / 2));
/** Threads one lane may hold: one at the default pool, so a second hung mount still finds one. */
export const THREADS_PER_MOUNT = Math.max(1, Math.floor(LANE_THREADS / 2));

/** Threads the lanes hold now. */
let held = 0;
/** Lanes with calls that wait for the shared budget, in the order they began to wait. */
const waitingLanes: Lane[] = [];

/** One mount's share of the thread pool: its calls run at most THREADS_PER_MOUNT at once, in the order they were made. */
export class Lane {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  /** `name` says which mount, for errors and tests. */
  constructor(readonly name: string) {}

  /** Calls that wait for a thread (not counting those in the pool). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Runs `call` (which must hold at most one pool thread at a time, until its promise settles) once this lane may hold one more. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    await this.turn();
    try {
      return await call();
    } finally {
      this.release();
    }
  }

  /** Takes a thread now, or waits in line for one. */
  private turn(): Promise<void> | undefined {
    if (this.queue.length === 0 && this.running < THREADS_PER_MOUNT && held < LANE_THREADS) {
      this.running++;
      held++;
      return undefined;
    }
    return new Promise<void>((resolve) => {
      this.queue.push(resolve);
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.running < THREADS_PER_MOUNT) {
      if (held >= LANE_THREADS) {
        if (!waitingLanes.includes(this)) waitingLanes.push(this);
        return;
      }
      this.running++;
      held++;
      this.queue.shift()!();
    }
  }

  private release(): void {
    this.running--;
    held--;
    // Lanes that waited for the shared budget go first; then this one's own queue.
    while (held < LANE_THREADS && waitingLanes.length > 0) waitingLanes.shift()!.pump();
    this.pump();
  }
}
