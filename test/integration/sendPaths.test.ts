/**
 * Both send paths, the native zero-copy one (sendfile(2) through
 * native/build/sendfile.node) and the pure JavaScript one
 * (SOCKFTP_NO_NATIVE=1), give the same downloads: the same bytes, replies
 * and byte counts, for a big file, a REST offset, an ABOR midway, a file
 * truncated under the transfer and many transfers at once. The real CLI's
 * transfer log line says which path moved the bytes (zeroCopyBytes), so
 * each run also proves it took the path it claims to test.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
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

    it('sends a big file byte for byte, counting every byte', async () => {
      const conn = await ControlConnection.login(server.port);
      await conn.expect('TYPE I', 200);
      const { data, final } = await conn.receive('RETR big.bin');
      assert.equal(final.code, 226);
      assert.equal(data.length, BIG);
      assert.equal(sha256(data), bigSum);
      const [line] = await transfers('/big.bin', 1);
      assert.equal(line.bytes, BIG);
      assertPath(line);
      conn.close();
    });

    it('starts at a REST offset', async () => {
      const file = path.join(root, 'rest.bin');
      randomFile(file, 8 * MiB + 123);
      const offset = 3 * MiB + 7;
      const conn = await ControlConnection.login(server.port);
      await conn.expect('TYPE I', 200);
      await conn.expect(`REST ${offset}`, 350);
      const { data, final } = await conn.receive('RETR rest.bin');
      assert.equal(final.code, 226);
      assert.ok(data.equals(fs.readFileSync(file).subarray(offset)));
      const [line] = await transfers('/rest.bin', 1);
      assert.equal(line.bytes, 8 * MiB + 123 - offset);
      assertPath(line);
      conn.close();
    });

    it('stops midway on ABOR with 426, then 226, and the session goes on', async () => {
      const conn = await ControlConnection.login(server.port);
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
      conn.close();
    });

    it('ends with 451 when the file is truncated under the transfer', async () => {
      const file = path.join(root, 'shrinking.bin');
      randomFile(file, 64 * MiB);
      const conn = await ControlConnection.login(server.port);
      await conn.expect('TYPE I', 200);
      assert.equal((await retrTruncatedMidway(conn, 'shrinking.bin', file, 1 * MiB)).code, 451);
      await conn.expect('NOOP', 200);
      const [line] = await transfers('/shrinking.bin', 1);
      assert.equal(line.code, 451);
      conn.close();
    });

    it('sends many downloads at once, each whole', async () => {
      const count = 24;
      const file = path.join(root, 'shared.bin');
      const sum = randomFile(file, 6 * MiB);
      const results = await Promise.all(
        Array.from({ length: count }, async () => {
          const conn = await ControlConnection.login(server.port);
          try {
            await conn.expect('TYPE I', 200);
            return await conn.receive('RETR shared.bin');
          } finally {
            conn.close();
          }
        }),
      );
      for (const { data, final } of results) {
        assert.equal(final.code, 226);
        assert.equal(sha256(data), sum);
      }
      const lines = await transfers('/shared.bin', count);
      for (const line of lines) {
        assert.equal(line.bytes, 6 * MiB);
        assertPath(line);
      }
    });

    it('keeps TYPE A on the copying path, converting line ends', async () => {
      fs.writeFileSync(path.join(root, 'lines.txt'), 'a\nb\n'.repeat(100_000));
      const conn = await ControlConnection.login(server.port);
      await conn.expect('TYPE A', 200);
      const { data, final } = await conn.receive('RETR lines.txt');
      assert.equal(final.code, 226);
      assert.equal(data.toString(), 'a\r\nb\r\n'.repeat(100_000));
      const [line] = await transfers('/lines.txt', 1);
      assert.equal(line.zeroCopyBytes, undefined);
      conn.close();
    });
  });
}
