/**
 * Runs one transfer over the session's prepared data channel and guarantees
 * it ends with exactly one final reply (226, 425, 426, 451, 552...), whatever
 * fails first: the data connection, the storage, or the client aborting.
 */
import type * as net from 'node:net';
import { isFileError } from '../core/errors.js';
import { isLoopbackHost } from '../net/hosts.js';
import { Reply } from './protocol/replies.js';
import type { TransferResult } from '../app/events.js';
import type { ActiveTransfer, Session } from './Session.js';
import { markStorageError } from '../app/storageErrors.js';
import { zeroCopyBytes } from './zeroCopy.js';

export interface TransferSpec {
  readonly path: string;
  readonly direction: ActiveTransfer['direction'];
  /** Text of the 150 reply. */
  readonly opening: string;
  /**
   * Moves the data; rejects if either end fails. If it hands the connection
   * to another socket object (see receive.ts), it reports it with `adopt`.
   */
  run(socket: net.Socket, signal: AbortSignal, adopt: (socket: net.Socket) => void): Promise<void>;
  /**
   * Sends what it can at once, on a data connection that was there already,
   * before the 150 (a download's first bytes by sendfile); true if that was
   * all of it and the connection is closed, and then the 150 and the 226 go
   * out in one write. Whatever it did not send, run() sends after the 150.
   */
  atOnce?(socket: net.Socket): boolean;
  /** Makes the result visible (an upload's rename); a failure here still gets its own reply. */
  commit?(): Promise<void>;
  /**
   * Undoes what run() left behind; called on every failure path. `keepWritten`
   * is true when the client side failed (reset, ABOR): data written in place
   * stays for a resume. A storage failure (full disk) removes it.
   */
  abort(keepWritten: boolean): Promise<void>;
}

export async function runTransfer(session: Session, spec: TransferSpec): Promise<void> {
  const channel = session.takeDataChannel();
  if (!channel) {
    await spec.abort(true);
    session.reply(Reply.CantOpenDataConnection, 'Use PORT, PASV or EPSV first');
    return;
  }
  // --tls-required: data from a client across the network must be encrypted too (loopback is exempt).
  if (session.config.tls?.required && !session.protectData && !isLoopbackHost(session.remoteAddress)) {
    channel.close();
    await spec.abort(true);
    session.reply(Reply.DataProtectionRefused, 'Data connections must be protected: send PROT P');
    return;
  }
  const controller = new AbortController();
  let settle!: () => void;
  let socket: net.Socket | null = null;
  const transfer: ActiveTransfer = {
    path: spec.path,
    direction: spec.direction,
    bytes: () => (socket === null ? 0 : spec.direction === 'upload' ? socket.bytesRead : socket.bytesWritten + zeroCopyBytes(socket)),
    abort: () => controller.abort(),
    done: new Promise<void>((resolve) => (settle = resolve)),
  };
  session.activeTransfer = transfer;
  const started = Date.now();
  let result: TransferResult = 'ok';
  const watch = (s: net.Socket) => {
    socket = s;
    // A peer that stops reading or sending for this long is gone.
    s.setTimeout(session.config.idleTimeoutMs, () => s.destroy(new Error('data connection timed out')));
  };
  try {
    // A small download on a connection the client opened before RETR is sent, closed and answered
    // with one write of 150 and 226: one system call and one wake-up of the client fewer.
    const early = spec.atOnce && !session.protectData ? (channel.ready?.() ?? null) : null;
    if (early) watch(early);
    if (early && spec.atOnce!(early)) {
      await spec.commit?.();
      session.replyAll([
        [Reply.FileStatusOk, spec.opening],
        [Reply.TransferComplete, 'Transfer complete'],
      ]);
      return;
    }
    session.reply(Reply.FileStatusOk, spec.opening);
    if (!early) {
      socket = await channel.connect(session.config.dataConnectTimeoutMs, controller.signal);
      if (session.protectData) socket = await session.secureDataSocket(socket);
      watch(socket);
    }
    await spec.run(socket!, controller.signal, watch);
    if (controller.signal.aborted) throw controller.signal.reason;
    await spec.commit?.();
    session.reply(Reply.TransferComplete, 'Transfer complete');
  } catch (err) {
    result = controller.signal.aborted ? 'aborted' : 'failed';
    const storageFailed = isFileError(err) && err.code !== 'DATA_CONNECTION' && !controller.signal.aborted;
    if (storageFailed) markStorageError(err);
    await spec.abort(!storageFailed);
    if (controller.signal.aborted) session.reply(Reply.TransferAborted, 'Connection closed; transfer aborted');
    else if (isFileError(err)) session.replyError(err);
    else session.reply(Reply.TransferAborted, 'Data connection failed; transfer aborted');
  } finally {
    const bytes = transfer.bytes();
    const sentBySendfile = socket === null ? 0 : zeroCopyBytes(socket);
    socket?.destroy();
    channel.close();
    session.activeTransfer = null;
    // Read at once: ABOR's own 226 follows as soon as `done` settles.
    const code = session.lastReplyCode;
    session.transferReplyCode = code;
    const account = session.account;
    session.context.events.emit('transfer', {
      session,
      direction: spec.direction,
      path: spec.path,
      bytes,
      durationMs: Date.now() - started,
      result,
      code,
      user: account?.name ?? null,
      anonymous: account?.anonymous ?? false,
      ascii: session.transferType === 'A',
      zeroCopyBytes: sentBySendfile,
    });
    settle();
  }
}
