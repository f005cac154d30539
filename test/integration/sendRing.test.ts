/**
 * The copying send path's ring (src/ftp/sendRing.ts) over real loopback
 * sockets and real files, with budgets small enough that transfers share
 * and wait for slabs: every byte in order, and every slab back in the
 * budget however the transfer ends (complete, aborted midway, aborted while
 * waiting for a slab, the file truncated under it), and no download stopped
 * by slabs that stalled clients hold.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { SlabBudget } from '../../src/ftp/SlabBudget.js';
import { sendRing } from '../../src/ftp/sendRing.js';
import { FileSource } from '../../src/storage/local/fileStreams.js';
import { readAll } from '../helpers/ControlConnection.js';
import { eventually } from '../helpers/eventually.js';
import { MiB, randomFile, removeDir, tempDir } from '../helpers/files.js';

/** A loopback connection, both ends destroyed after `t`: `sending` is the server's side, `receiving` the client's. */
async function connection(t: TestContext): Promise<{ sending: net.Socket; receiving: net.Socket }> {
  const server = net.createServer();
  t.after(() => server.close());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const receiving = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  t.after(() => receiving.destroy());
  receiving.on('error', () => undefined);
  const [sending] = (await once(server, 'connection')) as [net.Socket];
  t.after(() => sending.destroy());
  sending.on('error', () => undefined);
  server.close();
  return { sending, receiving };
}

function open(file: string, start = 0): FileSource {
  const fd = fs.openSync(file, 'r');
  return new FileSource(fd, `/${path.basename(file)}`, start, fs.fstatSync(fd).size);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Sends `file` from `start` through the ring on a fresh connection and returns what the other end received. */
async function sendWhole(t: TestContext, file: string, budget: SlabBudget, start = 0): Promise<Buffer> {
  const { sending, receiving } = await connection(t);
  const received = readAll(receiving);
  const source = open(file, start);
  try {
    await sendRing(source, sending, new AbortController().signal, budget);
  } finally {
    source.close();
  }
  sending.end();
  return received;
}

describe('the send ring', () => {
  let dir: string;
  let big: string;

  before(() => {
    dir = tempDir('sockftp-ring-');
    big = path.join(dir, 'big.bin');
    randomFile(big, 64 * MiB);
  });

  after(() => removeDir(dir));

  it('sends five files at once through a budget of three slabs, byte for byte, and gets every slab back', async (t) => {
    const budget = new SlabBudget(64 * 1024, 3, 4);
    const files = Array.from({ length: 5 }, (_, i) => {
      const file = path.join(dir, `f${i}.bin`);
      // Sizes off the slab size, one empty, one of exactly two slabs.
      return { file, sum: randomFile(file, [MiB + 123, 0, 128 * 1024, 3 * MiB - 1, 77][i]) };
    });
    await Promise.all(files.map(async ({ file, sum }, i) => assert.equal(sha256(await sendWhole(t, file, budget)), sum, `file ${i}`)));
    assert.equal(budget.available(), 3);
  });

  it('starts at an offset', async (t) => {
    const budget = new SlabBudget(64 * 1024, 4, 4);
    const offset = 5 * MiB + 3;
    assert.ok((await sendWhole(t, big, budget, offset)).equals(fs.readFileSync(big).subarray(offset)));
    assert.equal(budget.available(), 4);
  });

  it('stops midway on abort once the socket lets go of its slabs, and gets every slab back', async (t) => {
    const budget = new SlabBudget(256 * 1024, 4, 4);
    const { sending, receiving } = await connection(t);
    const controller = new AbortController();
    const source = open(big);
    t.after(() => source.close());
    const sent = sendRing(source, sending, controller.signal, budget);
    // The receiver reads one chunk and stops: the socket fills and the ring waits on it.
    await once(receiving, 'data');
    receiving.pause();
    await eventually(() => sending.writableLength > 0 && budget.available() < 4, { what: 'the socket to hold a slab' });
    controller.abort(new Error('ABOR'));
    await assert.rejects(sent, /ABOR/);
    source.close();
    assert.ok(sending.destroyed, 'the abort destroyed the data socket');
    assert.equal(budget.available(), 4);
  });

  /**
   * A transfer to a client that reads nothing, once it holds the only slab of
   * a one-slab budget (the kernel's buffers full, the slab in the socket);
   * release() aborts it and checks the slab came back.
   */
  async function stuckHolder(t: TestContext, budget: SlabBudget): Promise<{ release: () => Promise<void> }> {
    const stuck = await connection(t);
    const holder = new AbortController();
    const source = open(big);
    const holding = sendRing(source, stuck.sending, holder.signal, budget);
    t.after(async () => {
      holder.abort(new Error('the test ended'));
      await holding.catch(() => undefined);
      source.close();
    });
    stuck.receiving.pause();
    await eventually(() => stuck.sending.writableLength > 0 && budget.available() === 0, { what: 'the first transfer to hold the only slab' });
    return {
      release: async () => {
        assert.equal(budget.available(), 0, 'the slab is still the stuck transfer’s');
        holder.abort(new Error('ABOR'));
        await assert.rejects(holding, /ABOR/);
        source.close();
        assert.equal(budget.available(), 1);
      },
    };
  }

  it('stops at once on abort while it waits for a slab another transfer holds', async (t) => {
    const budget = new SlabBudget(64 * 1024, 1, 4);
    const holder = await stuckHolder(t, budget);
    const waiting = await connection(t);
    const controller = new AbortController();
    const source = open(big);
    t.after(() => source.close());
    const sent = sendRing(source, waiting.sending, controller.signal, budget);
    controller.abort(new Error('ABOR while waiting'));
    await assert.rejects(sent, /ABOR while waiting/);
    source.close();
    await holder.release();
  });

  it('completes on a buffer of its own while clients that stopped reading hold every slab', async (t) => {
    const budget = new SlabBudget(64 * 1024, 1, 4);
    const holder = await stuckHolder(t, budget);
    const file = path.join(dir, 'past-the-stuck.bin');
    const sum = randomFile(file, 2 * MiB + 5);
    assert.equal(sha256(await sendWhole(t, file, budget)), sum);
    await holder.release();
  });

  it('fails with FILE_CHANGED when the file is truncated under it, and gets every slab back', async (t) => {
    const budget = new SlabBudget(64 * 1024, 4, 4);
    const file = path.join(dir, 'shrinking.bin');
    randomFile(file, 8 * MiB);
    const source = open(file);
    t.after(() => source.close());
    fs.truncateSync(file, MiB);
    const { sending, receiving } = await connection(t);
    receiving.resume();
    await assert.rejects(sendRing(source, sending, new AbortController().signal, budget), { code: 'FILE_CHANGED' });
    source.close();
    assert.equal(budget.available(), 4);
  });
});
