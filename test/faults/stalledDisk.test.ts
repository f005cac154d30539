/**
 * A mount under the served directory that stops answering (a real FUSE
 * filesystem, test/helpers/stallfs.py, stalled on demand) holds up only the
 * sessions that touch it. Each case stalls the mount and sends one command
 * into it, and waits until the filesystem says the call reached it and
 * blocks; then, with the mount still stalled, fresh FTP sessions log in
 * (scrypt), list and download elsewhere in the root, and a fresh web-door
 * session signs in, lists and downloads: all of them must complete. Then the
 * stall is released and the stuck command gets its right answer.
 *
 * No timing is asserted: that the fresh sessions finish at all while the
 * mount is stalled is the proof. Their latencies are reported (t.diagnostic).
 * A server whose event loop waited for the mount answers nothing, and the
 * fresh session's first reply times out (15 s), which fails the case.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { ControlConnection, readAll, type FtpReply } from '../helpers/ControlConnection.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { mountStalling, type StallingMount } from '../helpers/stallfs.js';
import { WebClient, startWeb, writeUsers, type Web } from '../http/webClient.js';

const USER = 'alice';
const PASSWORD = 'alice-pw';
const CASE_TIMEOUT_MS = 120_000;

/** A command into the stalled mount, and what it must answer once the mount does. */
interface StuckCase {
  readonly name: string;
  /** Commands sent (and answered) before the mount is stalled. */
  readonly setup: readonly string[];
  readonly command: string;
  /** Whether it sends on a data connection opened before it. */
  readonly data: boolean;
  /** Sessions that send it at once (1 unless said). */
  readonly sessions?: number;
  check(reply: FtpReply, data: Buffer, conn: ControlConnection): Promise<void>;
}

describe('a stalled mount under the served directory', () => {
  let dir: string;
  let root: string;
  let web: Web;
  let mount: StallingMount | null = null;
  let unmount: (() => Promise<void>) | null = null;
  let skipReason: string | null = null;
  const inMount = randomBytes(1024 * 1024 + 17);
  const elsewhere = randomBytes(200_000);

  before(async () => {
    dir = tempDir('sockftp-stall-');
    root = path.join(dir, 'root');
    const backing = path.join(dir, 'backing');
    fs.mkdirSync(path.join(root, 'slow'), { recursive: true });
    fs.mkdirSync(path.join(root, 'local'));
    fs.mkdirSync(path.join(backing, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(backing, 'data.bin'), inMount);
    fs.writeFileSync(path.join(backing, 'sub', 'inner.txt'), 'inside the mount\n');
    fs.mkdirSync(path.join(backing, 'sub', 'deeper'));
    fs.writeFileSync(path.join(root, 'local', 'hello.bin'), elsewhere);
    fs.writeFileSync(path.join(root, 'local', 'notes.txt'), 'elsewhere\n');
    // A way into the mount whose name does not say so.
    fs.mkdirSync(path.join(root, 'links'));
    fs.symlinkSync('../slow/sub', path.join(root, 'links', 'into-mount'));
    // A crash's leftover in the mount: the server's start-up sweep reads the mount to remove it, and
    // says so when it is done, so no case stalls the mount under the sweep.
    const leftover = path.join(backing, 'sub', '.sockftp-0123456789abcdef.tmp');
    fs.writeFileSync(leftover, 'partial upload');
    fs.utimesSync(leftover, new Date('2001-01-01'), new Date('2001-01-01'));
    const usersFile = path.join(dir, 'users.json');
    await writeUsers(usersFile, { [USER]: { password: PASSWORD } });
    // Mounted before the server starts, and unmounted (after release) before the directory is removed.
    const started = await mountStalling(backing, path.join(root, 'slow'), (undo) => (unmount = undo));
    if (started.mount === null) {
      skipReason = started.reason;
      return;
    }
    mount = started.mount;
    web = await startWeb(root, path.join(dir, 'staging'), ['--users', usersFile]);
    await web.ftp.waitForOutput(/leftovers of an earlier run removed/);
    // Once unstalled, so that the figures under the stall are not those of a first login (modules loaded, code compiled).
    await othersGoOn(null);
  });
  after(async () => {
    await web?.stop();
    await unmount?.();
    if (dir) removeDir(dir);
  });

  const stuckCases: StuckCase[] = [
    {
      name: 'SIZE of a file in it',
      setup: ['TYPE I'],
      command: 'SIZE /slow/data.bin',
      data: false,
      check: async (reply) => assert.deepEqual([reply.code, reply.text], [213, String(inMount.length)]),
    },
    {
      name: 'RETR of a file in it',
      setup: ['TYPE I'],
      command: 'RETR /slow/data.bin',
      data: true,
      check: async (_reply, data) => assert.ok(data.equals(inMount), `${data.length} bytes, not the file's ${inMount.length}`),
    },
    {
      name: 'LIST of a directory in it',
      setup: [],
      command: 'LIST /slow/sub',
      data: true,
      check: async (_reply, data) => assert.deepEqual(names(data.toString(), /\s(\S+)$/), ['deeper', 'inner.txt']),
    },
    {
      name: 'MLSD of a directory in it',
      setup: [],
      command: 'MLSD /slow/sub',
      data: true,
      check: async (_reply, data) => assert.deepEqual(names(data.toString(), /; (.+)$/), ['deeper', 'inner.txt']),
    },
    {
      name: 'CWD into it',
      setup: [],
      command: 'CWD /slow/sub',
      data: false,
      check: async (reply, _data, conn) => {
        assert.equal(reply.code, 250);
        assert.match((await conn.expect('PWD', 257)).text, /"\/slow\/sub"/);
      },
    },
    {
      name: 'CWD through a symlink into it',
      setup: [],
      command: 'CWD /links/into-mount',
      data: false,
      check: async (reply, _data, conn) => {
        assert.equal(reply.code, 250);
        assert.deepEqual(names((await conn.receive('LIST')).data.toString(), /\s(\S+)$/), ['deeper', 'inner.txt']);
      },
    },
    {
      // Its listing stats the mount point, in the thread pool: four at once would hold all of a default pool.
      name: 'LIST of the directory the mount is in, from four sessions at once,',
      setup: [],
      command: 'LIST /',
      data: true,
      sessions: 4,
      check: async (_reply, data) => assert.deepEqual(names(data.toString(), /\s(\S+)$/), ['links', 'local', 'slow']),
    },
  ];

  for (const stuck of stuckCases) {
    it(`${stuck.name} waits for the mount, and no other session does`, { timeout: CASE_TIMEOUT_MS }, async (t) => {
      if (skipReason) return t.skip(skipReason);
      const sessions = await sendStuck(t, [stuck]);
      await othersGoOn(t);
      for (const s of sessions) assert.equal(s.conn.unread, 0, `${stuck.command} was answered while the mount was stalled`);
      await mount!.release();
      await Promise.all(sessions.map((s) => s.finish()));
    });
  }

  it('all of them at once wait in the lane of the mount, and each gets its answer once it answers', { timeout: CASE_TIMEOUT_MS }, async (t) => {
    if (skipReason) return t.skip(skipReason);
    const sessions = await sendStuck(t, stuckCases);
    await othersGoOn(t);
    for (const s of sessions) assert.equal(s.conn.unread, 0, `${s.command} was answered while the mount was stalled`);
    await mount!.release();
    await Promise.all(sessions.map((s) => s.finish()));
  });

  /**
   * Logs a session in for each case and runs its setup, stalls the mount,
   * sends each command and waits until the first of them blocks in the mount
   * (the others need it too: none can be answered before it is released).
   */
  async function sendStuck(t: TestContext, cases: readonly StuckCase[]): Promise<Array<{ conn: ControlConnection; command: string; finish(): Promise<void> }>> {
    const prepared = [];
    for (const stuck of cases.flatMap((c) => Array<StuckCase>(c.sessions ?? 1).fill(c))) {
      const conn = await ControlConnection.login(web.ftp.port);
      t.after(() => conn.close());
      for (const line of stuck.setup) await conn.send(line);
      const socket = stuck.data ? await conn.passive() : null;
      t.after(() => socket?.destroy());
      prepared.push({ stuck, conn, received: socket ? readAll(socket) : null });
    }
    t.after(() => mount!.release());
    await mount!.stall();
    const blockedBefore = mount!.blocked;
    for (const { stuck, conn } of prepared) conn.write(`${stuck.command}\r\n`);
    t.diagnostic(`blocked in the mount: ${await mount!.blockedBeyond(blockedBefore)}`);
    return prepared.map(({ stuck, conn, received }) => ({
      conn,
      command: stuck.command,
      finish: async () => {
        const first = await conn.read();
        if (!stuck.data) return stuck.check(first, Buffer.alloc(0), conn);
        assert.equal(first.code, 150, `${stuck.command}: ${first.code} ${first.text}`);
        const data = await received!;
        const final = await conn.read();
        assert.equal(final.code, 226, `${stuck.command}: ${final.code} ${final.text}`);
        await stuck.check(final, data, conn);
      },
    }));
  }

  /** Two FTP sessions and a web-door session, at once: each logs in, lists and downloads outside the mount. */
  async function othersGoOn(t: TestContext | null): Promise<void> {
    const timed = async (what: string, run: () => Promise<void>) => {
      const started = performance.now();
      await run();
      return `${what} ${Math.round(performance.now() - started)} ms`;
    };
    const latencies = await Promise.all([
      timed('ftp', () => ftpSession(t)),
      timed('ftp', () => ftpSession(t)),
      timed('web', async () => {
        const client = await WebClient.login(web.url, USER, PASSWORD);
        const listing = await client.json<{ entries: Array<{ name: string }> }>('/api/list?path=/local');
        assert.deepEqual(listing.entries.map((e) => e.name).sort(), ['hello.bin', 'notes.txt']);
        const res = await client.get('/api/file?path=/local/hello.bin');
        assert.equal(res.status, 200);
        assert.ok(Buffer.from(await res.arrayBuffer()).equals(elsewhere));
      }),
    ]);
    t?.diagnostic(`while stalled, login + list + download: ${latencies.join(', ')}`);
  }

  async function ftpSession(t: TestContext | null): Promise<void> {
    const { conn } = await ControlConnection.open(web.ftp.port);
    if (t) t.after(() => conn.close());
    else after(() => conn.close());
    await conn.expect(`USER ${USER}`, 331);
    await conn.expect(`PASS ${PASSWORD}`, 230);
    await conn.expect('TYPE I', 200);
    const list = await conn.receive('LIST /local');
    assert.equal(list.final.code, 226);
    assert.deepEqual(names(list.data.toString(), /\s(\S+)$/), ['hello.bin', 'notes.txt']);
    const retr = await conn.receive('RETR /local/hello.bin');
    assert.equal(retr.final.code, 226);
    assert.ok(retr.data.equals(elsewhere));
    await conn.expect('QUIT', 221);
  }
});

/** The names in a listing's lines, sorted, by the pattern that ends each line. */
function names(listing: string, pattern: RegExp): string[] {
  return listing
    .split('\r\n')
    .filter((line) => line !== '' && !/type=[cp]dir;/i.test(line))
    .map((line) => pattern.exec(line)![1])
    .sort();
}
