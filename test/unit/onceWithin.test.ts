import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import { onceWithin, type WaitFailure } from '../../src/net/onceWithin.js';

/** The failure as data, so each test can say which one it expects. */
const asError = (why: WaitFailure) => Object.assign(new Error(why.kind), { why });

describe('onceWithin', () => {
  it("resolves with the event's arguments and leaves no listener behind", async () => {
    const emitter = new EventEmitter();
    const waiting = onceWithin(emitter, 'ready', { timeoutMs: 10_000 }, asError);
    emitter.emit('ready', 42);
    assert.deepEqual(await waiting, [42]);
    assert.equal(emitter.listenerCount('ready') + emitter.listenerCount('error'), 0);
  });

  it("fails with the emitter's error: a refused TCP connection", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const socket = net.connect({ host: '127.0.0.1', port });
    await assert.rejects(onceWithin(socket, 'connect', { timeoutMs: 10_000 }, asError), (err: Error & { why: WaitFailure }) => {
      assert.equal(err.why.kind, 'error');
      assert.match(err.why.kind === 'error' ? err.why.error.message : '', /ECONNREFUSED/);
      return true;
    });
    assert.equal(socket.listenerCount('connect'), 0);
  });

  it('fails as a timeout when the event does not come in time, and as aborted when the signal fires first', async (t) => {
    // A listening server as the emitter: AbortSignal.timeout's timer keeps no process alive, a handle must, as a socket does in use.
    const emitter = net.createServer();
    t.after(() => emitter.close());
    await new Promise<void>((resolve) => emitter.listen(0, '127.0.0.1', resolve));
    await assert.rejects(onceWithin(emitter, 'never', { timeoutMs: 20 }, asError), { message: 'timeout' });
    const controller = new AbortController();
    const waiting = onceWithin(emitter, 'never', { timeoutMs: 10_000, signal: controller.signal }, asError);
    controller.abort();
    await assert.rejects(waiting, { message: 'aborted' });
    assert.equal(emitter.listenerCount('never'), 0);
  });
});
