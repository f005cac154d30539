/**
 * A plain TCP relay on loopback in front of the web door, that fails the
 * network on cue: `cutAfter(n)` resets every connection once n bytes have
 * gone from the browser to the server (a dropped connection midway through
 * an upload), and `holdAfter(n)` stops forwarding the browser's bytes after
 * n, leaving the upload hanging (for a page reload midway). It counts what it
 * forwarded, so a test can tell a resumed upload from one sent again.
 */
import { once } from 'node:events';
import * as net from 'node:net';

export interface CuttingRelay {
  readonly port: number;
  /** Bytes forwarded from the browser to the server so far. */
  upBytes(): number;
  /** Resets every connection when the upstream count reaches `bytes` (once), then relays normally. */
  cutAfter(bytes: number): Promise<void>;
  /** Forwards the browser's bytes up to `bytes`, then holds the rest; resolves when that point is reached. */
  holdAfter(bytes: number): Promise<void>;
  /** Closes the held connections (the server sees the upload's connection end). */
  release(): void;
  close(): Promise<void>;
}

type Trigger = { readonly at: number; readonly kind: 'cut' | 'hold'; readonly reached: () => void };

export async function startCuttingRelay(targetPort: number, host = '127.0.0.1'): Promise<CuttingRelay> {
  const sockets = new Set<net.Socket>();
  /** Browser sides whose bytes are held (holdAfter): only that connection stops, a reloaded page's new ones pass. */
  const held = new Set<net.Socket>();
  let up = 0;
  let trigger: Trigger | null = null;

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    return socket;
  };
  const resetAll = () => {
    for (const socket of sockets) if (!socket.destroyed) socket.resetAndDestroy();
  };

  const listener = net.createServer((client) => {
    track(client);
    const server = track(net.connect(targetPort, host));
    client.on('close', () => {
      held.delete(client);
      server.destroy();
    });
    server.on('close', () => client.destroy());
    server.pipe(client);
    client.on('data', (chunk: Buffer) => {
      if (held.has(client)) return;
      const t = trigger;
      if (t && up + chunk.length >= t.at) {
        trigger = null;
        const pass = chunk.subarray(0, t.at - up);
        up += pass.length;
        server.write(pass);
        if (t.kind === 'cut') {
          // Only once the bytes before the cut are written: the server has them, as it would before a real failure.
          if (server.writableLength === 0) resetAll();
          else server.once('drain', resetAll);
        } else {
          held.add(client);
          client.pause();
        }
        t.reached();
        return;
      }
      up += chunk.length;
      if (!server.write(chunk)) {
        client.pause();
        server.once('drain', () => held.has(client) || client.resume());
      }
    });
  });
  listener.listen(0, host);
  await once(listener, 'listening');

  const arm = (kind: Trigger['kind'], bytes: number) => new Promise<void>((resolve) => (trigger = { at: up + bytes, kind, reached: resolve }));
  return {
    port: (listener.address() as net.AddressInfo).port,
    upBytes: () => up,
    cutAfter: (bytes) => arm('cut', bytes),
    holdAfter: (bytes) => arm('hold', bytes),
    release: () => {
      for (const client of held) client.resetAndDestroy();
      held.clear();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      listener.close();
      await once(listener, 'close');
    },
  };
}
