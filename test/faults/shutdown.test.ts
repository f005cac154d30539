/**
 * Graceful shutdown: SIGTERM stops new connections, sends idle sessions 421,
 * lets a running upload finish within the grace period, and exits 0; with a
 * short grace the upload is cut and its target keeps the old content.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { MiB, removeDir, sha256File, tempDir } from '../helpers/files.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { temporaries, waitForEvents } from './support.js';

/** Writes `mebibytes` MiB of varied data to `socket`, with backpressure, and returns their SHA-256. */
async function send(socket: net.Socket, mebibytes: number, hash = createHash('sha256')): Promise<string> {
  const block = randomBytes(MiB);
  for (let i = 0; i < mebibytes; i++) {
    // Each MiB differs from the last, so a lost or repeated block changes the hash.
    const chunk = Buffer.from(block);
    chunk.writeUInt32BE(i, 0);
    hash.update(chunk);
    if (!socket.write(chunk)) await once(socket, 'drain');
  }
  return hash.copy().digest('hex');
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('SIGTERM', () => {
  let root: string;
  let server: RunningServer;

  afterEach(async () => {
    await server?.stop();
    removeDir(root);
  });

  it('lets a 500 MiB upload finish, closes idle sessions with 421, refuses newcomers, and exits 0', async (t) => {
    root = tempDir();
    server = await startServer(root, ['--log-format', 'json']);
    const idle = await ControlConnection.login(server.port);
    t.after(() => idle.close());
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    const data = await conn.passive();
    await conn.expect('STOR big.bin', 150);
    const hash = createHash('sha256');
    await send(data, 100, hash);
    server.process.kill('SIGTERM');
    await waitForEvents(server, 'shutting down', 1);
    assert.equal((await idle.read()).code, 421);
    await idle.waitClosed();
    assert.ok(await refused(server.port), 'a new connection during shutdown must be refused');
    const sum = await send(data, 400, hash);
    data.end();
    assert.equal((await conn.read()).code, 226);
    assert.equal((await conn.read()).code, 421);
    const [code] = (await once(server.process, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.equal(await sha256File(path.join(root, 'big.bin')), sum);
    assert.deepEqual(temporaries(root), []);
  });

  it('cuts an upload still running when a 1 second grace ends, and the target keeps its old content', async (t) => {
    root = tempDir();
    fs.writeFileSync(path.join(root, 'big.bin'), 'the old content');
    server = await startServer(root, ['--log-format', 'json', '--shutdown-grace', '1']);
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    const data = await conn.passive();
    await conn.expect('STOR big.bin', 150);
    await send(data, 50);
    // The client goes quiet mid-upload; the grace period runs out.
    server.process.kill('SIGTERM');
    assert.equal((await conn.read()).code, 426);
    const [code] = (await once(server.process, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.equal(fs.readFileSync(path.join(root, 'big.bin'), 'utf8'), 'the old content');
    assert.deepEqual(temporaries(root), []);
  });
});
