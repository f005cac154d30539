/**
 * Both send paths, the native zero-copy one (sendfile(2) through
 * native/build/sendfile.node) and the pure JavaScript one
 * (SOCKFTP_NO_NATIVE=1), give the same downloads: the same bytes, replies
 * and byte counts, for a big file, a REST offset, an ABOR midway, a file
 * truncated under the transfer, many transfers at once (more than the
 * copying path's budget has slabs) and a download slower than the idle
 * timeout, which must not cut it. The real CLI's
 * transfer log line says which path moved the bytes (zeroCopyBytes), so
 * each run also proves it took the path it claims to test.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ControlConnection, readAll } from '../helpers/ControlConnection.js';
import { abortMidway, retrTruncatedMidway } from '../helpers/downloads.js';
import { MiB, randomFile, removeDir, tempDir } from '../helpers/files.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startServer, type RunningServer } from '../helpers/server.js';

interface TransferLine {
  path: string;
  bytes: number;
  result: string;
  code: number;
  zeroCopyBytes?: number;
}

const ADDON = path.join(REPO_ROOT, 'native/build/sendfile.node');
const BIG = 48 * MiB;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Reads `socket` to its end at no more than `bytesPerSecond`, pausing it between chunks. */
async function readThrottled(socket: net.Socket, bytesPerSecond: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const started = Date.now();
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    bytes += chunk.length;
    const ahead = (bytes / bytesPerSecond) * 1000 - (Date.now() - started);
    if (ahead > 0) {
      socket.pause();
      setTimeout(() => socket.resume(), ahead);
    }
  });
  await once(socket, 'close');
  return Buffer.concat(chunks);
}

for (const native of [true, false]) {
  const skip = native && !fs.existsSync(ADDON) ? 'the native addon is not built here (no C compiler at install time?)' : false;

  describe(`downloads on the ${native ? 'native sendfile' : 'JavaScript'} path`, { skip }, () => {
    let root: string;
    let server: RunningServer;
    let bigSum: string;

    const env = { ...process.env };
    if (native) delete env.SOCKFTP_NO_NATIVE;
    else env.SOCKFTP_NO_NATIVE = '1';

    /** The log lines of finished transfers of `file`, once there are `count` of them. */
    async function transfers(file: string, count: number): Promise<TransferLine[]> {
      const lines = () =>
        server
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as TransferLine & { msg: string })
          .filter((l) => l.msg === 'transfer' && l.path === file);
      await server.waitForOutput(() => lines().length >= count);
      return lines();
    }

    /** Which path moved a transfer's bytes, as its log line says. */
    function assertPath(line: TransferLine): void {
      if (native) assert.ok((line.zeroCopyBytes ?? 0) > 0, `expected bytes sent by sendfile: ${JSON.stringify(line)}`);
      else assert.equal(line.zeroCopyBytes, undefined, `expected no sendfile: ${JSON.stringify(line)}`);
    }

    before(async () => {
      root = tempDir('sockftp-sendpaths-');
      bigSum = randomFile(path.join(root, 'big.bin'), BIG);
      server = await startServer(root, ['--log-format', 'json'], [], env);
    });

    after(async () => {
      await server.stop();
      removeDir(root);
    });

    it('sends a big file byte for byte, counting every byte', async (t) => {
      const conn = await ControlConnection.login(server.port);
      t.after(() => conn.close());
      await conn.expect('TYPE I', 200);
      const { data, final } = await conn.receive('RETR big.bin');
      assert.equal(final.code, 226);
      assert.equal(data.length, BIG);
      assert.equal(sha256(data), bigSum);
      const [line] = await transfers('/big.bin', 1);
      assert.equal(line.bytes, BIG);
      assertPath(line);
    });

    it('sends a small file whole before its 150, then the 150 and the 226 in one write; a bigger one after its 150, byte for byte either way', async (t) => {
      const cases: Array<[name: string, size: number, rest: number, together: boolean]> = [
        ['small.bin', 4096, 0, true],
        ['empty.bin', 0, 0, true],
        ['rest-small.bin', 10_000, 1234, true],
        ['at-limit.bin', 256 * 1024, 0, true],
        ['past-limit.bin', 256 * 1024 + 1, 0, false],
      ];
      // The short way needs the data connection accepted before RETR is read, which a loaded
      // machine may not have done yet (then the usual way serves it, correctly): a NOOP's round
      // trip gives the server its turn, and a few tries make "never together" a real failure.
      const TRIES = 10;
      for (const [name, size, rest, together] of cases) {
        randomFile(path.join(root, name), size);
        const conn = await ControlConnection.login(server.port);
        t.after(() => conn.close());
        await conn.expect('TYPE I', 200);
        const chunks: string[] = [];
        conn.socket.on('data', (chunk: string) => chunks.push(chunk));
        let tries = 0;
        let seen = false;
        while (tries < (together ? TRIES : 1) && !seen) {
          tries++;
          if (rest > 0) await conn.expect(`REST ${rest}`, 350);
          const socket = await conn.passive();
          const received = readAll(socket);
          await conn.expect('NOOP', 200);
          chunks.length = 0;
          const preliminary = await conn.send(`RETR ${name}`);
          const data = await received;
          const final = await conn.read();
          assert.deepEqual([preliminary.code, final.code], [150, 226], name);
          assert.ok(data.equals(fs.readFileSync(path.join(root, name)).subarray(rest)), name);
          // One write arrives as one chunk on loopback; two writes an event-loop turn apart may merge, so only "together" is asserted.
          seen = chunks.some((c) => /^150 .*\r\n226 /m.test(c));
        }
        if (together) assert.ok(seen, `${name}: never 150 and 226 in one write in ${TRIES} tries; last: ${JSON.stringify(chunks)}`);
        const lines = await transfers(`/${name}`, tries);
        for (const line of lines) {
          assert.equal(line.bytes, size - rest, name);
          if (size > 0) assertPath(line);
        }
        conn.close();
      }
    });

    it('starts at a REST offset', async (t) => {
      const file = path.join(root, 'rest.bin');
      randomFile(file, 8 * MiB + 123);
      const offset = 3 * MiB + 7;
      const conn = await ControlConnection.login(server.port);
      t.after(() => conn.close());
      await conn.expect('TYPE I', 200);
      await conn.expect(`REST ${offset}`, 350);
      const { data, final } = await conn.receive('RETR rest.bin');
      assert.equal(final.code, 226);
      assert.ok(data.equals(fs.readFileSync(file).subarray(offset)));
      const [line] = await transfers('/rest.bin', 1);
      assert.equal(line.bytes, 8 * MiB + 123 - offset);
      assertPath(line);
    });

    it('stops midway on ABOR with 426, then 226, and the session goes on', async (t) => {
      const conn = await ControlConnection.login(server.port);
      t.after(() => conn.close());
      await conn.expect('TYPE I', 200);
      await conn.expect('REST 1', 350);
      assert.deepEqual(
        (await abortMidway(conn, 'big.bin')).map((r) => r.code),
        [426, 226],
      );
      await conn.expect('NOOP', 200);
      const aborted = (await transfers('/big.bin', 2)).find((l) => l.result === 'aborted');
      assert.ok(aborted, 'an aborted transfer is logged');
      assert.equal(aborted.code, 426);
      assert.ok(aborted.bytes > 0 && aborted.bytes < BIG - 1, `a part was sent: ${aborted.bytes}`);
    });

    it('ends with 451 when the file is truncated under the transfer', async (t) => {
      const file = path.join(root, 'shrinking.bin');
      randomFile(file, 64 * MiB);
      const conn = await ControlConnection.login(server.port);
      t.after(() => conn.close());
      await conn.expect('TYPE I', 200);
      assert.equal((await retrTruncatedMidway(conn, 'shrinking.bin', file, 1 * MiB)).code, 451);
      await conn.expect('NOOP', 200);
      const [line] = await transfers('/shrinking.bin', 1);
      assert.equal(line.code, 451);
    });

    /** `count` sessions download `name` (`bytes` random bytes) at once; each gets it whole, by the path under test. */
    async function downloadAtOnce(count: number, name: string, bytes: number): Promise<void> {
      const sum = randomFile(path.join(root, name), bytes);
      const results = await Promise.all(
        Array.from({ length: count }, async () => {
          const conn = await ControlConnection.login(server.port);
          try {
            await conn.expect('TYPE I', 200);
            return await conn.receive(`RETR ${name}`);
          } finally {
            conn.close();
          }
        }),
      );
      for (const { data, final } of results) {
        assert.equal(final.code, 226);
        assert.equal(sha256(data), sum);
      }
      for (const line of await transfers(`/${name}`, count)) {
        assert.equal(line.bytes, bytes);
        assertPath(line);
      }
    }

    it('sends many downloads at once, each whole', () => downloadAtOnce(24, 'shared.bin', 6 * MiB));

    it('sends more downloads at once than the copying path has slabs (32), each whole', () => downloadAtOnce(45, 'crowd.bin', 3 * MiB + 17));

    it('keeps a download that takes longer than --idle-timeout, and the session after it', async (t) => {
      const slow = await startServer(root, ['--log-format', 'json', '--idle-timeout', '1'], [], env);
      t.after(() => slow.stop());
      const file = path.join(root, 'slow.bin');
      // Bigger than loopback's socket buffers take at once, so the server is still sending after the first second.
      const sum = randomFile(file, 32 * MiB);
      const conn = await ControlConnection.login(slow.port);
      t.after(() => conn.close());
      await conn.expect('TYPE I', 200);
      const started = Date.now();
      const data = await conn.passive();
      await conn.expect('RETR slow.bin', 150);
      const received = await readThrottled(data, 8 * MiB);
      assert.equal((await conn.read()).code, 226);
      assert.ok(Date.now() - started > 2500, `the download took ${Date.now() - started} ms, more than twice the idle timeout`);
      assert.equal(sha256(received), sum);
      await conn.expect('NOOP', 200);
    });

    it('keeps TYPE A on the copying path, converting line ends', async (t) => {
      fs.writeFileSync(path.join(root, 'lines.txt'), 'a\nb\n'.repeat(100_000));
      const conn = await ControlConnection.login(server.port);
      t.after(() => conn.close());
      await conn.expect('TYPE A', 200);
      const { data, final } = await conn.receive('RETR lines.txt');
      assert.equal(final.code, 226);
      assert.equal(data.toString(), 'a\r\nb\r\n'.repeat(100_000));
      const [line] = await transfers('/lines.txt', 1);
      assert.equal(line.zeroCopyBytes, undefined);
    });
  });
}
