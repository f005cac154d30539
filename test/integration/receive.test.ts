/**
 * The upload receive path (src/ftp/receive.ts) over real loopback
 * sockets, both ways it can go: the fast one that adopts the socket's handle
 * with `onread`, and the plain pipeline it falls back to.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { receive } from '../../src/ftp/receive.js';
import { resetConnection } from '../helpers/sockets.js';

/** A server that accepts one connection paused and half-open capable, as PassiveChannel does; all closed after `t`. */
async function acceptedPair(t: TestContext): Promise<{ client: net.Socket; accepted: net.Socket }> {
  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
  t.after(() => server.close());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  t.after(() => client.destroy());
  client.on('error', () => undefined);
  const [accepted] = (await once(server, 'connection')) as [net.Socket];
  t.after(() => accepted.destroy());
  accepted.on('error', () => undefined);
  return { client, accepted };
}

/** A sink that hashes what it gets, slowly enough now and then to make the reader pause. */
function hashingSink(): { sink: Writable; digest: () => string; bytes: () => number } {
  const hash = createHash('sha256');
  let bytes = 0;
  let n = 0;
  const sink = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      if (++n % 7 === 0) setImmediate(callback);
      else callback();
    },
  });
  return { sink, digest: () => hash.digest('hex'), bytes: () => bytes };
}

for (const plain of [false, true]) {
  describe(plain ? 'receive, plain pipeline' : 'receive, adopted handle with onread', () => {
    it('delivers every byte of a 64 MiB upload in order', async (t) => {
      const { client, accepted } = await acceptedPair(t);
      const data = randomBytes(64 * 1024 * 1024);
      const { sink, digest } = hashingSink();
      let current: net.Socket = accepted;
      t.after(() => current.destroy());
      const done = receive(accepted, sink, new AbortController().signal, { chunkBytes: 256 * 1024, plain }, (s) => (current = s));
      client.end(data);
      await done;
      assert.equal(digest(), createHash('sha256').update(data).digest('hex'));
      assert.equal(current === accepted, plain, 'only the fast path hands the socket over');
      assert.equal(current.bytesRead, data.length);
    });

    it('rejects when the sender resets the connection in the middle', async (t) => {
      const { client, accepted } = await acceptedPair(t);
      const { sink, bytes } = hashingSink();
      const done = receive(accepted, sink, new AbortController().signal, { chunkBytes: 64 * 1024, plain }, () => undefined);
      const chunk = randomBytes(1024 * 1024);
      // Reset while data is still flowing, once the receiver has taken some of it.
      for (let i = 0; i < 256 && bytes() < 8 * 1024 * 1024; i++) if (!client.write(chunk)) await once(client, 'drain');
      await resetConnection(client);
      await assert.rejects(done);
    });

    it('rejects and destroys the sink when aborted', async (t) => {
      const { client, accepted } = await acceptedPair(t);
      const { sink } = hashingSink();
      const controller = new AbortController();
      const done = receive(accepted, sink, controller.signal, { chunkBytes: 64 * 1024, plain }, () => undefined);
      client.write(randomBytes(1024 * 1024));
      controller.abort();
      await assert.rejects(done);
      assert.ok(sink.destroyed);
    });
  });
}
