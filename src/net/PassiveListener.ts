/**
 * A listening data port that admits one peer only: the server's passive mode
 * (PASV/EPSV) and the client's active mode (PORT/EPRT) both wait on one for
 * the other side's connection. A channel yields at most one socket. What the
 * server alone trusts (a load balancer's PROXY header) comes in through
 * `source`; this file knows nothing of it.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { dataConnectionFailed } from '../core/errors.js';
import { sameAddress } from './hosts.js';
import { onceWithin, type WaitFailure } from './onceWithin.js';

export interface DataChannel {
  /** Resolves with the connected socket, or rejects with DATA_CONNECTION on timeout or abort. */
  connect(timeoutMs: number, signal: AbortSignal): Promise<net.Socket>;
  /** The connection if it is there already (a passive one the client opened), without waiting; null otherwise. */
  ready?(): net.Socket | null;
  close(): void;
}

export interface PortRange {
  readonly low: number;
  readonly high: number;
}

export interface PassiveOptions {
  /** Local address to listen on: the control connection's own, so the data port is on the same interface. */
  readonly host: string;
  readonly ports: PortRange | null;
  /** Only this peer may connect: a passive port must not be taken by another host. */
  readonly peer: string;
  /** A connection from another host was dropped; `reason` when `source` said why it has no trusted source. */
  readonly onForeignPeer: (address: string, reason?: string) => void;
  /**
   * Where a connection comes from when that is not its TCP peer (the server's
   * PROXY header from a trusted load balancer); a string says why it has none.
   */
  readonly source?: (socket: net.Socket) => Promise<string | { address: string }>;
}

/** Why a data connection did not come, in the words of both ends' replies and messages. */
export function dataWaitFailure(why: WaitFailure): Error {
  if (why.kind === 'timeout') return dataConnectionFailed("Can't open data connection: timed out");
  if (why.kind === 'aborted') return dataConnectionFailed('Transfer aborted before the data connection opened');
  return dataConnectionFailed(`Can't open data connection: ${why.error.message}`);
}

/** Sockets accepted before a transfer starts buffer what they receive; an error must not go unheard. */
export function guard(socket: net.Socket): net.Socket {
  socket.on('error', () => undefined);
  return socket;
}

/**
 * A passive data port. A session keeps one for its whole life: PASV and
 * EPSV then cost no listen(2) and close(2) each, which showed in the rate of
 * small transfers, and the session still holds at most one port. Each
 * transfer takes the next connection from the peer through a channel; a
 * connection that arrives while no channel waits is dropped.
 */
export class PassiveListener {
  private waiting: PassiveChannel | null = null;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async open(options: PassiveOptions): Promise<PassiveListener> {
    // Accepted paused: an upload's socket can then hand its handle to a faster reader (receive.ts) with nothing read yet.
    // Half-open capable, so that after an upload's end of file receive.ts can still tell a reset from a close.
    const server = net.createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true });
    const listener = new PassiveListener(server, await listenInRange(server, options.host, options.ports));
    const admit = (socket: net.Socket, source: string) => {
      if (!sameAddress(source, options.peer)) {
        options.onForeignPeer(source);
        socket.destroy();
        return;
      }
      const channel = listener.waiting;
      listener.waiting = null;
      if (!channel?.deliver(socket)) socket.destroy();
    };
    server.on('connection', (socket) => {
      guard(socket);
      const sourceOf = options.source;
      if (!sourceOf) return admit(socket, socket.remoteAddress ?? '?');
      void sourceOf(socket).then((source) => {
        if (typeof source === 'string') options.onForeignPeer(socket.remoteAddress ?? '?', source);
        else if (!socket.destroyed) admit(socket, source.address);
      });
    });
    server.on('error', () => listener.close());
    return listener;
  }

  /**
   * The channel for the next transfer; one still waiting is replaced (a
   * second PASV before a transfer). With `lastOne` the port closes once that
   * channel has its connection (or is closed).
   */
  expect(lastOne = false): PassiveChannel {
    this.waiting?.close();
    const channel = new PassiveChannel(this.port, () => {
      if (this.waiting === channel) this.waiting = null;
      if (lastOne) this.close();
    });
    this.waiting = channel;
    return channel;
  }

  close(): void {
    this.waiting?.close();
    this.server.close();
  }
}

export class PassiveChannel implements DataChannel {
  private accepted: net.Socket | null = null;
  /** Whether a transfer took the accepted socket (and so owns it). */
  private taken = false;
  /** Emits 'socket' when the connection comes, for a connect() waiting on it. */
  private readonly arrival = new EventEmitter();
  private closed = false;

  constructor(
    readonly port: number,
    /** Called once, when the channel has its connection or is closed. */
    private readonly release: () => void,
  ) {}

  /** A channel with a port of its own, closed once its one connection came: a client's active mode. */
  static async open(options: PassiveOptions): Promise<PassiveChannel> {
    return (await PassiveListener.open(options)).expect(true);
  }

  /** Hands the channel its connection; false if it no longer wants one. */
  deliver(socket: net.Socket): boolean {
    if (this.accepted || this.closed) return false;
    this.accepted = socket;
    // Taken now, not when the waiting connect() resumes: a close() in between must not destroy it.
    if (this.arrival.listenerCount('socket') > 0) this.taken = true;
    this.release();
    this.arrival.emit('socket');
    return true;
  }

  ready(): net.Socket | null {
    if (!this.accepted || this.closed) return null;
    this.taken = true;
    return this.accepted;
  }

  async connect(timeoutMs: number, signal: AbortSignal): Promise<net.Socket> {
    if (!this.accepted) {
      if (this.closed) throw dataConnectionFailed('Data connection closed');
      await onceWithin(this.arrival, 'socket', { timeoutMs, signal }, dataWaitFailure);
    }
    this.taken = true;
    return this.accepted!;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A connection no transfer took (PASV, connect, then PASV again) would otherwise stay open.
    if (this.accepted && !this.taken) this.accepted.destroy();
    if (!this.accepted) this.release();
  }
}

/** Listens on a free port of the range (or any free port), trying each candidate at most once. */
async function listenInRange(server: net.Server, host: string, range: PortRange | null): Promise<number> {
  if (!range) return listenOn(server, host, 0);
  const size = range.high - range.low + 1;
  const first = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = range.low + ((first + i) % size);
    try {
      return await listenOn(server, host, port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw dataConnectionFailed(`Can't open passive port: ${(err as Error).message}`);
    }
  }
  throw dataConnectionFailed('No free passive port in the configured range');
}

function listenOn(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, backlog: 8, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}
