/**
 * A web download or upload as the core's transfer event, the same event an
 * FTP RETR or STOR makes, so the web's traffic reaches the metrics (door
 * "http"), the log's transfer lines and the xferlog. Timed from the request
 * to the response's close; the bytes are those of the file's body, counted as
 * they pass, not the socket's (headers, other requests on the connection).
 */
import type { TransferDirection, TransferResult } from '../app/events.js';
import type { RequestContext } from './context.js';

export class WebTransfer {
  private bytes = 0;
  private readonly started = performance.now();
  private failed = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly direction: TransferDirection,
    /** The file's virtual path; an upload learns it once its id is looked up. */
    public path: string,
    /** Who the logs name: the signed-in user by default; a share link's visitor is anonymous, as share:<id>. */
    readonly as: { readonly user: string | null; readonly anonymous: boolean } = {
      user: ctx.who.user,
      anonymous: ctx.session?.account.anonymous ?? false,
    },
  ) {}

  /** A pipeline stage that counts what passes through it (bound, so it can be handed to pipeline as it is). */
  readonly count = (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> => this.counted(source);

  private async *counted(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      this.bytes += chunk.length;
      yield chunk;
    }
  }

  /** Runs the transfer; its event follows once the response has closed, whatever happened. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const { transfers } = this.ctx.app;
    transfers.running++;
    this.ctx.res.once('close', () => {
      transfers.running--;
      this.emit();
    });
    try {
      return await work();
    } catch (err) {
      // A client that went away is an abort (the response did not finish); anything else is ours.
      if (!this.ctx.req.destroyed) this.failed = true;
      throw err;
    }
  }

  private emit(): void {
    const { ctx } = this;
    const result: TransferResult = this.failed ? 'failed' : ctx.res.writableFinished && ctx.res.statusCode < 400 ? 'ok' : 'aborted';
    ctx.app.core.events.emit('transfer', {
      session: ctx.who,
      direction: this.direction,
      path: this.path,
      bytes: this.bytes,
      durationMs: performance.now() - this.started,
      result,
      code: ctx.res.statusCode,
      user: this.as.user,
      anonymous: this.as.anonymous,
      ascii: false,
      zeroCopyBytes: 0,
    });
  }
}
