/**
 * Servers' memory as the kernel counts it: VmRSS sampled every ~50 ms from
 * /proc, summed over the whole process tree (vsftpd forks two processes per
 * session), by a worker thread (rssWorker.ts).
 */
import { Worker } from 'node:worker_threads';

export interface RssReading {
  readonly nowKiB: number;
  /** The highest sample since the last mark(). */
  readonly sinceMarkKiB: number;
  /** The highest sample since watching began. */
  readonly overallKiB: number;
}

export interface RssRequest {
  readonly id: number;
  /** watch and read start sampling `pid` if it was not; mark also starts a new "since mark" peak. */
  readonly op: 'watch' | 'mark' | 'read' | 'unwatch';
  readonly pid: number;
}

export class RssSampler {
  private readonly worker = new Worker(new URL('./rssWorker.js', import.meta.url));
  private readonly waiting = new Map<number, { resolve: (reading: RssReading) => void; reject: (err: Error) => void }>();
  private nextId = 0;

  constructor() {
    this.worker.on('message', ({ id, reading }: { id: number; reading: RssReading }) => {
      this.waiting.get(id)?.resolve(reading);
      this.waiting.delete(id);
    });
    // A failed sampling thread must not leave a request waiting forever.
    this.worker.on('error', (err) => {
      for (const { reject } of this.waiting.values()) reject(err);
      this.waiting.clear();
    });
    // The benchmark's own exit must not wait for the sampling thread.
    this.worker.unref();
  }

  /** Every request takes a fresh sample, so a reading is never older than the call. */
  request(op: RssRequest['op'], pid: number): Promise<RssReading> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, pid } satisfies RssRequest);
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
