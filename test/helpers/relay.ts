/**
 * A small FTP-aware TCP relay on loopback: it forwards control connections
 * to a server, and the passive data connections too (each 229 reply is
 * rewritten to a port of the relay's own that forwards to the server's).
 * `cut()` resets every connection it carries, as a network failure would,
 * while the server and the relay's listener stay up.
 */
import { once } from 'node:events';
import * as net from 'node:net';

export interface Relay {
  readonly port: number;
  /** Resets every connection going through the relay, on both sides; new ones are still taken. */
  cut(): void;
  /** Bytes the relay forwarded from the server on data connections so far. */
  dataBytes(): number;
  close(): Promise<void>;
}

const EPSV_REPLY = /^229 (.*)\(\|\|\|(\d+)\|\)(.*)$/;

export async function startRelay(serverPort: number, host = '127.0.0.1'): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const listeners = new Set<net.Server>();
  let dataBytes = 0;

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset arrives as an error on the other side of the pair: nothing to report.
    socket.on('error', () => undefined);
    return socket;
  };
  /** Both directions of one pair; either side ending or failing ends the other. */
  const join = (a: net.Socket, b: net.Socket) => {
    a.on('close', () => b.destroy());
    b.on('close', () => a.destroy());
  };

  /** A one-connection listener that forwards to the server's passive port. */
  const relayData = async (serverDataPort: number): Promise<number> => {
    const listener = net.createServer((client) => {
      listener.close();
      listeners.delete(listener);
      track(client);
      const server = track(net.connect(serverDataPort, host));
      server.on('data', (chunk: Buffer) => (dataBytes += chunk.length));
      client.pipe(server);
      server.pipe(client);
      join(client, server);
    });
    listeners.add(listener);
    listener.listen(0, host);
    await once(listener, 'listening');
    return (listener.address() as net.AddressInfo).port;
  };

  const control = net.createServer((client) => {
    track(client);
    const server = track(net.connect(serverPort, host));
    client.pipe(server);
    join(client, server);
    // Replies go line by line, in order, each 229 only once its own data port listens.
    let pending = '';
    let chain = Promise.resolve();
    server.setEncoding('latin1').on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\r\n');
      pending = lines.pop()!;
      for (const line of lines) {
        chain = chain.then(async () => {
          const m = EPSV_REPLY.exec(line);
          const out = m ? `229 ${m[1]}(|||${await relayData(Number(m[2]))}|)${m[3]}` : line;
          if (!client.destroyed) client.write(`${out}\r\n`, 'latin1');
        });
      }
    });
  });
  control.listen(0, host);
  await once(control, 'listening');

  return {
    port: (control.address() as net.AddressInfo).port,
    cut: () => {
      for (const socket of sockets) if (!socket.destroyed) socket.resetAndDestroy();
    },
    dataBytes: () => dataBytes,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      for (const listener of listeners) listener.close();
      control.close();
      await once(control, 'close');
    },
  };
}
