/**
 * The server beyond RFC 959's core, byte for byte: resume and append, ABOR,
 * ASCII mode, modification times, hashes, SITE, MLSD's cdir/pdir and large
 * directories, and what IPv6 changes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { ControlConnection, readAll } from '../helpers/ControlConnection.js';
import { abortMidway } from '../helpers/downloads.js';
import { useServer } from '../helpers/fixture.js';
import { MiB, randomFile } from '../helpers/files.js';
import { startServer } from '../helpers/server.js';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe('resume, append and unique names', () => {
  const f = useServer();

  it('appends with APPE, creating the file when it is missing', async (t) => {
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    assert.equal((await conn.sendData('APPE log.txt', Buffer.from('one\n'))).final.code, 226);
    assert.equal((await conn.sendData('APPE log.txt', Buffer.from('two\n'))).final.code, 226);
    assert.equal(fs.readFileSync(path.join(f.root, 'log.txt'), 'utf8'), 'one\ntwo\n');
  });

  it('resumes an upload with REST and STOR, keeping the bytes before the offset', async (t) => {
    fs.writeFileSync(path.join(f.root, 'part.bin'), 'abcdefXXXX');
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    await conn.expect('REST 6', 350);
    assert.equal((await conn.sendData('STOR part.bin', Buffer.from('ghij'))).final.code, 226);
    assert.equal(fs.readFileSync(path.join(f.root, 'part.bin'), 'utf8'), 'abcdefghij');
  });

  it('stores under a fresh name with STOU and names it in the 150 reply', async (t) => {
    fs.writeFileSync(path.join(f.root, 'report.pdf'), 'old');
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    const first = await conn.sendData('STOU report.pdf', Buffer.from('new'));
    assert.equal(first.preliminary.text, 'FILE: report_1.pdf');
    assert.equal(first.final.code, 226);
    const second = await conn.sendData('STOU', Buffer.from('x'));
    assert.match(second.preliminary.text, /^FILE: stou(_\d+)?$/);
    assert.equal(fs.readFileSync(path.join(f.root, 'report.pdf'), 'utf8'), 'old');
    assert.equal(fs.readFileSync(path.join(f.root, 'report_1.pdf'), 'utf8'), 'new');
  });
});

describe('ABOR', () => {
  const f = useServer();

  it('answers 225 when there is no transfer', async (t) => {
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('ABOR', 225);
  });

  it('refuses ABOR with an argument with 501, as RFC 959 5.3.1 gives it none', async (t) => {
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('ABOR x', 501);
    await conn.expect('PWD /', 501);
    await conn.expect('ABOR', 225);
  });

  it('stops a running download with 426, then answers 226, and the session goes on', async (t) => {
    randomFile(path.join(f.root, 'big.bin'), 64 * MiB);
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    assert.deepEqual(
      (await abortMidway(conn, 'big.bin')).map((r) => r.code),
      [426, 226],
    );
    await conn.expect('NOOP', 200);
  });

  it('acts on "ABOR\\r" whose LF never comes, as ftplib.abort() sends it', async (t) => {
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    const data = await conn.passive();
    await conn.expect('RETR big.bin', 150);
    await once(data, 'data');
    conn.write(Buffer.concat([Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from('ABOR\r')]));
    assert.equal((await conn.read()).code, 426);
    assert.equal((await conn.read()).code, 226);
    data.destroy();
    assert.equal((await conn.send('PWD')).code, 257);
  });

  it('stops an upload and keeps no part of it', async (t) => {
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    const data = await conn.passive();
    await conn.expect('STOR never.bin', 150);
    data.write(Buffer.alloc(1024 * 1024));
    conn.write('ABOR\r\n');
    assert.equal((await conn.read()).code, 426);
    assert.equal((await conn.read()).code, 226);
    data.destroy();
    assert.ok(!fs.readdirSync(f.root).some((n) => n === 'never.bin' || n.startsWith('.sockftp-')));
  });
});

describe('ASCII mode', () => {
  const f = useServer();

  it('sends LF line ends as CRLF and stores CRLF as LF', async (t) => {
    fs.writeFileSync(path.join(f.root, 'unix.txt'), 'one\ntwo\n');
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE A', 200);
    assert.equal((await conn.receive('RETR unix.txt')).data.toString(), 'one\r\ntwo\r\n');
    await conn.sendData('STOR dos.txt', Buffer.from('three\r\nfour\r\n'));
    assert.equal(fs.readFileSync(path.join(f.root, 'dos.txt'), 'utf8'), 'three\nfour\n');
    await conn.expect('TYPE I', 200);
    assert.equal((await conn.receive('RETR unix.txt')).data.toString(), 'one\ntwo\n');
  });

  it('refuses SIZE in ASCII mode, which is the default, and answers it in binary mode', async (t) => {
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('SIZE unix.txt', 550);
    await conn.expect('TYPE I', 200);
    assert.equal((await conn.expect('SIZE unix.txt', 213)).text, '8');
  });
});

describe('modification times', () => {
  const f = useServer();

  it('sets the time with MFMT and with the MDTM set form', async (t) => {
    fs.writeFileSync(path.join(f.root, 'dated.txt'), 'x');
    fs.writeFileSync(path.join(f.root, '20240101000000 odd name'), 'y');
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    assert.equal((await conn.expect('MFMT 20200102030405 dated.txt', 213)).text, 'Modify=20200102030405; dated.txt');
    assert.equal((await conn.expect('MDTM dated.txt', 213)).text, '20200102030405');
    await conn.expect('MDTM 20210304050607 dated.txt', 213);
    assert.equal(fs.statSync(path.join(f.root, 'dated.txt')).mtime.toISOString(), '2021-03-04T05:06:07.000Z');
    // A file whose name looks like the set form is still only read.
    assert.match((await conn.expect('MDTM 20240101000000 odd name', 213)).text, /^\d{14}$/);
    await conn.expect('MFMT 20201302030405 dated.txt', 501);
    await conn.expect('MFMT 20200102030405 missing.txt', 550);
  });
});

describe('hashes', () => {
  const f = useServer();
  const content = Buffer.from('The quick brown fox jumps over the lazy dog');

  it('hashes a file with HASH in the algorithm chosen by OPTS HASH', async (t) => {
    fs.writeFileSync(path.join(f.root, 'fox.txt'), content);
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    const feat = await conn.expect('FEAT', 211);
    assert.ok(feat.lines.includes(' HASH SHA-1;SHA-256*;SHA-512;MD5;CRC32'), feat.text);
    assert.equal((await conn.expect('OPTS HASH', 200)).text, 'SHA-256');
    assert.equal((await conn.expect('HASH fox.txt', 213)).text, `SHA-256 0-42 ${sha256(content)} fox.txt`);
    assert.equal((await conn.expect('OPTS HASH md5', 200)).text, 'MD5');
    assert.equal((await conn.expect('HASH fox.txt', 213)).text, `MD5 0-42 ${createHash('md5').update(content).digest('hex')} fox.txt`);
    await conn.expect('OPTS HASH CRC-37', 501);
    assert.ok((await conn.expect('FEAT', 211)).lines.includes(' HASH SHA-1;SHA-256;SHA-512;MD5*;CRC32'));
  });

  it('hashes a byte range selected with RANG, for the next HASH only', async (t) => {
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('OPTS HASH CRC32', 200);
    await conn.expect('RANG 4 8', 350);
    const crc = crc32(content.subarray(4, 9)).toString(16).padStart(8, '0');
    assert.equal((await conn.expect('HASH fox.txt', 213)).text, `CRC32 4-8 ${crc} fox.txt`);
    assert.match((await conn.expect('HASH fox.txt', 213)).text, /^CRC32 0-42 /);
    await conn.expect('RANG 9 3', 501);
  });

  it('answers XCRC, XMD5 and XSHA256 with 250 and the digest, with an optional range', async (t) => {
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    assert.equal((await conn.expect('XSHA256 fox.txt', 250)).text, sha256(content));
    assert.equal((await conn.expect('XMD5 fox.txt', 250)).text, createHash('md5').update(content).digest('hex'));
    assert.equal((await conn.expect('XCRC fox.txt 4 9', 250)).text, crc32(content.subarray(4, 9)).toString(16).padStart(8, '0'));
  });

  it('refuses to hash a directory or a missing file', async (t) => {
    fs.mkdirSync(path.join(f.root, 'dir'));
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('HASH dir', 553);
    await conn.expect('HASH missing', 550);
  });
});

describe('ALLO and SITE', () => {
  const f = useServer();

  it('accepts ALLO with 202', async (t) => {
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('ALLO 1000', 202);
    await conn.expect('ALLO 1000 R 512', 202);
  });

  it('refuses ALLO without its size with 501 (RFC 959 5.3.1: ALLO <decimal-integer>)', async (t) => {
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    await conn.expect('ALLO', 501);
  });

  it("gives one SITE command's help with SITE HELP NAME, and 501 for a name it does not know", async (t) => {
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    const chmod = await conn.expect('SITE HELP chmod', 214);
    assert.equal(chmod.text, 'SITE CHMOD <mode> <path>: set Unix permission bits (octal)');
    const unknown = await conn.expect('SITE HELP FROB', 501);
    assert.match(unknown.text, /FROB/);
  });

  it('lists SITE commands and changes modes with SITE CHMOD', async (t) => {
    fs.writeFileSync(path.join(f.root, 'script.sh'), '#!/bin/sh\n');
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    assert.match((await conn.expect('SITE HELP', 214)).text, /SITE CHMOD/);
    await conn.expect('SITE CHMOD 750 script.sh', 200);
    assert.equal(fs.statSync(path.join(f.root, 'script.sh')).mode & 0o777, 0o750);
    await conn.expect('SITE CHMOD 999 script.sh', 501);
    await conn.expect('SITE CHMOD 644 missing', 550);
    await conn.expect('SITE FROB', 500);
  });
});

describe('listings', () => {
  const f = useServer();

  it('gives MLSD a pdir line below the root, and none at the root', async (t) => {
    fs.mkdirSync(path.join(f.root, 'sub'));
    fs.writeFileSync(path.join(f.root, 'sub', 'x'), '1');
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    const below = (await conn.receive('MLSD sub')).data.toString().split('\r\n');
    assert.match(below[0], /^type=cdir;.* \.$/);
    assert.match(below[1], /^type=pdir;.* \.\.$/);
    const top = (await conn.receive('MLSD')).data.toString();
    assert.doesNotMatch(top, /type=pdir/);
  });

  it('lists all of a directory of 10,000 entries in LIST, NLST and MLSD', async (t) => {
    const dir = path.join(f.root, 'many');
    fs.mkdirSync(dir);
    for (let i = 0; i < 10_000; i++) fs.writeFileSync(path.join(dir, `file-${String(i).padStart(5, '0')}.dat`), '');
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    for (const cmd of ['LIST many', 'NLST many', 'MLSD many']) {
      const { data, final } = await conn.receive(cmd);
      assert.equal(final.code, 226, cmd);
      const names = data
        .toString()
        .split('\r\n')
        .filter((l) => / ?file-\d{5}\.dat$/.test(l));
      assert.equal(names.length, 10_000, cmd);
    }
  });

  it('keeps names with CR or LF out of listings, and lists names with spaces and UTF-8', async (t) => {
    const dir = path.join(f.root, 'odd');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'evil\r\n-rw-r--r-- 1 x x 1 Jan 1 2020 fake'), '');
    fs.writeFileSync(path.join(dir, 'line\nbreak'), '');
    fs.writeFileSync(path.join(dir, ' spaced name '), '');
    fs.writeFileSync(path.join(dir, 'größe-ñ-日本.txt'), '');
    const conn = await ControlConnection.login(f.server.port);
    t.after(() => conn.close());
    for (const cmd of ['LIST odd', 'NLST odd', 'MLSD odd']) {
      const lines = (await conn.receive(cmd)).data.toString('utf8').split('\r\n').filter(Boolean);
      assert.ok(!lines.some((l) => /fake|break/.test(l)), cmd);
      assert.ok(
        lines.some((l) => l.endsWith(' spaced name ')),
        cmd,
      );
      assert.ok(
        lines.some((l) => l.endsWith('größe-ñ-日本.txt')),
        cmd,
      );
    }
  });
});

describe('IPv6', () => {
  it('serves on ::1 with EPSV and EPRT |2|, and refuses PASV with 425', async (t) => {
    const probe = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => resolve(true));
    });
    probe.close();
    if (!ok) return t.skip('this machine has no ::1');
    const root = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'sockftp-v6-'));
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    fs.writeFileSync(path.join(root, 'six.txt'), 'over v6');
    const server = await startServer(root, ['--host', '::1']);
    t.after(() => server.stop());
    assert.equal(server.url, `ftp://[::1]:${server.port}`);
    const conn = await ControlConnection.login(server.port, '::1');
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    assert.equal((await conn.receive('RETR six.txt')).data.toString(), 'over v6');
    await conn.expect('PASV', 425);
    await conn.expect('EPSV 1', 522);
    // Active mode over IPv6: we listen, the server connects to us.
    const listener = net.createServer();
    t.after(() => listener.close());
    await new Promise<void>((r) => listener.listen(0, '::1', r));
    const port = (listener.address() as net.AddressInfo).port;
    await conn.expect(`EPRT |2|::1|${port}|`, 200);
    await conn.expect('EPRT |1|127.0.0.1|5000|', 522);
    const accepted = once(listener, 'connection');
    await conn.expect(`EPRT |2|::1|${port}|`, 200);
    await conn.expect('RETR six.txt', 150);
    const [socket] = (await accepted) as [net.Socket];
    t.after(() => socket.destroy());
    assert.equal((await readAll(socket)).toString(), 'over v6');
    assert.equal((await conn.read()).code, 226);
  });
});
