/**
 * The FTP protocol on a given storage backend: the same scenarios, run by
 * backends.test.ts on MemoryStorage, LocalStorage and a storage without the
 * optional operations, and by backends-s3.test.ts on S3Storage over a real
 * RGW bucket. The server runs in-process (helpers/testServer.ts); results
 * are checked through FTP and through the storage itself.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { capabilitiesOf } from '../../src/core/capabilities.js';
import type { Storage } from '../../src/core/Storage.js';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { MiB } from '../helpers/files.js';
import { resetConnection } from '../helpers/sockets.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { names, readBytes, write } from '../storage/contract.js';

export interface BackendSuiteOptions {
  /** A size big enough to be several chunks or parts of an upload on this backend. */
  readonly bigBytes?: number;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Registers the protocol scenarios against one backend; `make` gives a new, empty storage for the suite. */
export function runBackendSuite(name: string, make: () => Promise<Storage>, options: BackendSuiteOptions = {}): void {
  const bigBytes = options.bigBytes ?? 3 * MiB;

  describe(`FTP on ${name}`, () => {
    let storage: Storage;
    let server: TestServer;
    let dir = 0;
    /** Each test works in a directory of its own, so the order of tests does not matter. */
    const freshDir = async (conn: ControlConnection): Promise<string> => {
      const path = `/t${++dir}`;
      await conn.expect(`MKD ${path}`, 257);
      await conn.expect(`CWD ${path}`, 250);
      return path;
    };
    const login = async () => {
      const conn = await ControlConnection.login(server.port);
      await conn.expect('TYPE I', 200);
      return conn;
    };

    before(async () => {
      storage = await make();
      server = await startTestServer({ storage });
    });
    after(() => server?.stop());

    it('offers in FEAT what the storage can do, and answers 502 for what it cannot', async (t) => {
      const can = capabilitiesOf(storage);
      const conn = await login();
      t.after(() => conn.close());
      const feat = (await conn.expect('FEAT', 211)).lines.map((l) => l.trim());
      assert.ok(feat.includes('REST STREAM') && feat.includes('SIZE') && feat.includes('MDTM'), feat.join('|'));
      assert.ok(feat.some((l) => l.startsWith('HASH ')));
      assert.equal(feat.includes('MFMT'), can.setModifiedTime);
      const siteHelp = (await conn.expect('SITE HELP', 214)).lines.join('\n');
      assert.equal(/CHMOD/.test(siteHelp), can.chmod);
      await freshDir(conn);
      assert.equal((await conn.sendData('STOR f.txt', Buffer.from('x'))).final.code, 226);
      await conn.expect('MFMT 20010203040506 f.txt', can.setModifiedTime ? 213 : 502);
      await conn.expect('SITE CHMOD 600 f.txt', can.chmod ? 200 : 502);
      const appe = await conn.sendData('APPE f.txt', Buffer.from('y'));
      assert.equal(appe.final.code, can.writeInPlace ? 226 : 502);
      await conn.expect('REST 1', 350);
      assert.equal((await conn.sendData('STOR f.txt', Buffer.from('z'))).final.code, can.writeInPlace ? 226 : 502);
      const expected = can.writeInPlace ? 'xz' : 'x';
      assert.equal((await conn.receive('RETR f.txt')).data.toString(), expected);
    });

    it('stores and retrieves a file byte for byte, with its size, time and SHA-256', async (t) => {
      const payload = randomBytes(bigBytes);
      const conn = await login();
      t.after(() => conn.close());
      const d = await freshDir(conn);
      assert.equal((await conn.sendData('STOR big.bin', payload)).final.code, 226);
      assert.equal((await conn.expect('SIZE big.bin', 213)).text, String(payload.length));
      assert.match((await conn.expect('MDTM big.bin', 213)).text, /^\d{14}(\.\d+)?$/);
      const got = await conn.receive('RETR big.bin');
      assert.equal(got.final.code, 226);
      assert.equal(sha256(got.data), sha256(payload));
      assert.equal(sha256(await readBytes(storage, `${d}/big.bin`)), sha256(payload));
      assert.match((await conn.expect('HASH big.bin', 213)).text, new RegExp(`^SHA-256 0-${payload.length - 1} ${sha256(payload)} big.bin$`));
      await conn.expect('OPTS HASH MD5', 200);
      const md5 = createHash('md5').update(payload).digest('hex');
      assert.match((await conn.expect('HASH big.bin', 213)).text, new RegExp(` ${md5} `));
    });

    it('resumes a download with REST and RETR', async (t) => {
      const payload = randomBytes(256 * 1024);
      const conn = await login();
      t.after(() => conn.close());
      const d = await freshDir(conn);
      await write(storage, `${d}/r.bin`, payload);
      await conn.expect('REST 100000', 350);
      const got = await conn.receive('RETR r.bin');
      assert.equal(got.final.code, 226);
      assert.ok(got.data.equals(payload.subarray(100000)));
    });

    it('resumes an upload with REST and STOR, and appends with APPE, where the storage writes in place', async (t) => {
      if (!capabilitiesOf(storage).writeInPlace) return t.skip(`${name} cannot write in place`);
      const head = randomBytes(bigBytes);
      const tail = randomBytes(200_000);
      const conn = await login();
      t.after(() => conn.close());
      const d = await freshDir(conn);
      assert.equal((await conn.sendData('STOR part.bin', head)).final.code, 226);
      await conn.expect(`REST ${head.length - 1000}`, 350);
      assert.equal((await conn.sendData('STOR part.bin', tail)).final.code, 226);
      const resumed = Buffer.concat([head.subarray(0, head.length - 1000), tail]);
      assert.equal(sha256(await readBytes(storage, `${d}/part.bin`)), sha256(resumed));
      assert.equal((await conn.sendData('APPE part.bin', Buffer.from('end'))).final.code, 226);
      assert.equal(sha256(await readBytes(storage, `${d}/part.bin`)), sha256(Buffer.concat([resumed, Buffer.from('end')])));
      assert.equal((await conn.sendData('APPE new.log', Buffer.from('first'))).final.code, 226);
      assert.equal((await readBytes(storage, `${d}/new.log`)).toString(), 'first');
    });

    it('stores under a free name with STOU', async (t) => {
      const conn = await login();
      t.after(() => conn.close());
      const d = await freshDir(conn);
      await write(storage, `${d}/report.pdf`, 'old');
      const stou = await conn.sendData('STOU report.pdf', Buffer.from('new'));
      assert.equal(stou.preliminary.text, 'FILE: report_1.pdf');
      assert.equal(stou.final.code, 226);
      assert.equal((await readBytes(storage, `${d}/report.pdf`)).toString(), 'old');
      assert.equal((await readBytes(storage, `${d}/report_1.pdf`)).toString(), 'new');
    });

    it('lists a directory with LIST, NLST and MLSD, and one entry with MLST', async (t) => {
      const conn = await login();
      t.after(() => conn.close());
      const d = await freshDir(conn);
      await write(storage, `${d}/a.txt`, 'aaa');
      await write(storage, `${d}/b b.txt`, 'bb');
      await conn.expect('MKD sub', 257);
      const nlst = (await conn.receive('NLST')).data.toString().split('\r\n').filter(Boolean).sort();
      assert.deepEqual(nlst, ['a.txt', 'b b.txt', 'sub']);
      const list = (await conn.receive('LIST')).data.toString();
      assert.match(list, /^-[rwx-]{9} .* 3 .* a\.txt$/m);
      assert.match(list, /^d[rwx-]{9} .* sub$/m);
      const mlsd = (await conn.receive('MLSD')).data.toString();
      assert.match(mlsd, /type=cdir;.* \.\r\n/);
      assert.match(mlsd, /type=file;size=3;.* a\.txt\r\n/);
      assert.match(mlsd, /type=dir;.* sub\r\n/);
      const mlst = await conn.expect('MLST b b.txt', 250);
      assert.match(mlst.lines[1], /type=file;size=2;.* \/t\d+\/b b\.txt$/);
      await conn.expect('MLSD a.txt', 550);
    });

    it('moves around directories, and removes only empty ones', async (t) => {
      const conn = await login();
      t.after(() => conn.close());
      const d = await freshDir(conn);
      await conn.expect('MKD deep', 257);
      await conn.expect('CWD deep', 250);
      assert.match((await conn.expect('PWD', 257)).text, new RegExp(`^"${d}/deep"`));
      await conn.expect('CDUP', 250);
      await write(storage, `${d}/deep/x`, 'x');
      await conn.expect('RMD deep', 550);
      await conn.expect('DELE deep/x', 250);
      await conn.expect('RMD deep', 250);
      await conn.expect('CWD deep', 550);
      await conn.expect('MKD nowhere/deeper', 550);
    });

    it('renames files and whole directories', async (t) => {
      const conn = await login();
      t.after(() => conn.close());
      const d = await freshDir(conn);
      await write(storage, `${d}/one.txt`, '1');
      await write(storage, `${d}/one2.txt`, '2');
      await conn.expect('MKD tree', 257);
      await conn.expect('MKD tree/a', 257);
      await write(storage, `${d}/tree/a/b.txt`, 'deep');
      await conn.expect('RNFR one.txt', 350);
      await conn.expect('RNTO tree/uno.txt', 250);
      await conn.expect('RNFR tree', 350);
      await conn.expect('RNTO moved', 250);
      assert.deepEqual(await names(storage, d), ['moved', 'one2.txt']);
      assert.equal((await readBytes(storage, `${d}/moved/a/b.txt`)).toString(), 'deep');
      assert.equal((await readBytes(storage, `${d}/moved/uno.txt`)).toString(), '1');
      await conn.expect('RNFR nothere', 550);
      await conn.expect('RNTO x', 503);
    });

    it('answers 550 for what is not there, before any data connection', async (t) => {
      const conn = await login();
      t.after(() => conn.close());
      await freshDir(conn);
      const retr = await conn.receive('RETR missing.bin');
      assert.equal(retr.preliminary.code, 550);
      await conn.expect('DELE missing.bin', 550);
      await conn.expect('SIZE missing.bin', 550);
      await conn.expect('HASH missing.bin', 550);
      assert.equal((await conn.receive('LIST missing-dir')).preliminary.code, 550);
    });

    it('refuses REST past the end with 554 before anything is written or sent, and the offset is used up', async (t) => {
      const can = capabilitiesOf(storage);
      const conn = await login();
      t.after(() => conn.close());
      const d = await freshDir(conn);
      await write(storage, `${d}/six.txt`, 'abcdef');
      // A storage that cannot write in place refuses every resumed upload with 502 first.
      const refused = can.writeInPlace ? 554 : 502;
      await conn.expect('REST 10', 350);
      assert.equal((await conn.sendData('STOR new.bin', Buffer.from('x'))).final.code, refused);
      await conn.expect('REST 7', 350);
      assert.equal((await conn.sendData('STOR six.txt', Buffer.from('x'))).final.code, refused);
      await conn.expect('REST 7', 350);
      const retr = await conn.receive('RETR six.txt');
      assert.equal(retr.final.code, 554);
      assert.match(retr.final.text, /^Requested action not taken: invalid REST parameter \(7 is past the end of \/t\d+\/six\.txt, 6 bytes\)$/);
      assert.deepEqual(await names(storage, d), ['six.txt']);
      assert.equal((await readBytes(storage, `${d}/six.txt`)).toString(), 'abcdef');
      assert.equal((await conn.receive('RETR six.txt')).data.toString(), 'abcdef');
      // At the end exactly is not past it: the empty rest of a download that was already complete.
      await conn.expect('REST 6', 350);
      const atEnd = await conn.receive('RETR six.txt');
      assert.equal(atEnd.final.code, 226);
      assert.equal(atEnd.data.length, 0);
    });

    it('answers an invalid REST before asking for a data connection, as it answers a missing file', async (t) => {
      const can = capabilitiesOf(storage);
      const conn = await login();
      t.after(() => conn.close());
      const d = await freshDir(conn);
      await write(storage, `${d}/six.txt`, 'abcdef');
      await conn.expect('REST 10', 350);
      await conn.expect('STOR new.bin', can.writeInPlace ? 554 : 502);
      await conn.expect('REST 10', 350);
      await conn.expect('RETR six.txt', 554);
      await conn.expect('REST 10', 350);
      await conn.expect('RETR missing.bin', 550);
      await conn.expect('RETR six.txt', 425);
      assert.deepEqual(await names(storage, d), ['six.txt']);
    });

    it('keeps the old file whole when an upload over it is reset midway, and the session goes on', async (t) => {
      const old = randomBytes(64 * 1024);
      const conn = await login();
      t.after(() => conn.close());
      const d = await freshDir(conn);
      await write(storage, `${d}/keep.bin`, old);
      const data = await conn.passive();
      assert.equal((await conn.send('STOR keep.bin')).code, 150);
      await new Promise<void>((resolve) => data.write(randomBytes(bigBytes), () => resolve()));
      await resetConnection(data);
      const final = await conn.read();
      assert.ok([426, 451].includes(final.code), `${final.code} ${final.text}`);
      assert.ok((await readBytes(storage, `${d}/keep.bin`)).equals(old));
      assert.deepEqual(await names(storage, d), ['keep.bin']);
      assert.equal((await conn.sendData('STOR after.txt', Buffer.from('fine'))).final.code, 226);
    });
  });
}
