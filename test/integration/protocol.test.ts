/**
 * The control protocol, byte for byte, against the real server: login state,
 * replies to bad input, path confinement, listings and transfers.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { startServer, type RunningServer } from '../helpers/server.js';

let server: RunningServer;
let base: string;
let root: string;

before(async () => {
  base = tempDir();
  root = path.join(base, 'root');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(base, 'outside.txt'), 'must not be served');
  fs.writeFileSync(path.join(root, 'hello.txt'), 'hello\n');
  fs.mkdirSync(path.join(root, 'sub'));
  fs.writeFileSync(path.join(root, 'sub', 'inner.txt'), 'inner');
  // The many-sessions test opens 300 sessions from one address, above the default --max-per-ip.
  server = await startServer(root, ['--max-per-ip', '1000']);
});

after(async () => {
  await server.stop();
  removeDir(base);
});

describe('greeting and login', () => {
  it('greets with 220', async (t) => {
    const { conn, greeting } = await ControlConnection.open(server.port);
    t.after(() => conn.close());
    assert.equal(greeting.code, 220);
  });

  it('answers PASS without USER with 503', async (t) => {
    const { conn } = await ControlConnection.open(server.port);
    t.after(() => conn.close());
    assert.equal((await conn.send('PASS secret')).code, 503);
  });

  it('refuses file commands before login with 530', async (t) => {
    const { conn } = await ControlConnection.open(server.port);
    t.after(() => conn.close());
    for (const cmd of ['PWD', 'CWD /', 'LIST', 'RETR hello.txt', 'STOR x', 'DELE hello.txt', 'PASV', 'SIZE hello.txt']) {
      assert.equal((await conn.send(cmd)).code, 530, cmd);
    }
  });

  it('refuses an unknown user with 530 after asking for a password like for any other', async (t) => {
    const { conn } = await ControlConnection.open(server.port);
    t.after(() => conn.close());
    assert.equal((await conn.send('USER nobody-here')).code, 331);
    assert.equal((await conn.send('PASS guess')).code, 530);
    assert.equal((await conn.send('PWD')).code, 530);
  });

  it('logs in anonymously with any password, also as "ftp"', async (t) => {
    for (const user of ['anonymous', 'ftp', 'ANONYMOUS']) {
      const conn = await ControlConnection.login(server.port, '127.0.0.1', user);
      t.after(() => conn.close());
      assert.match((await conn.expect('PWD', 257)).text, /^"\/"/);
      conn.close();
    }
  });

  it('says goodbye with 221 on QUIT and closes', async (t) => {
    const { conn } = await ControlConnection.open(server.port);
    t.after(() => conn.close());
    assert.equal((await conn.send('QUIT')).code, 221);
    await conn.waitClosed();
  });
});

describe('bad input', () => {
  it('answers unknown verbs with 502 and garbage with 500', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    assert.equal((await conn.send('XYZW')).code, 502);
    assert.equal((await conn.send('SITE')).code, 501);
    assert.equal((await conn.send('!!!! what')).code, 500);
    assert.equal((await conn.send('TOOLONGVERB x')).code, 500);
  });

  it('answers a missing argument with 501', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    for (const cmd of ['RETR', 'STOR', 'DELE', 'MKD', 'RMD', 'RNFR', 'SIZE', 'MDTM', 'CWD', 'TYPE', 'USER']) {
      assert.equal((await conn.send(cmd)).code, 501, cmd);
    }
  });

  it('answers an overlong line with 500 and keeps the session', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    conn.write('NOOP ' + 'x'.repeat(100_000) + '\r\n');
    assert.equal((await conn.read()).code, 500);
    assert.equal((await conn.send('NOOP')).code, 200);
  });

  it('ignores Telnet bytes and answers NUL in a path with 501', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    conn.write(Buffer.concat([Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from('NOOP\r\n')]));
    assert.equal((await conn.read()).code, 200);
    assert.equal((await conn.send('MDTM hel\0lo.txt')).code, 501);
  });

  it('answers pipelined commands in order', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    conn.write('NOOP\r\nPWD\r\nSYST\r\nTYPE I\r\n');
    assert.deepEqual([(await conn.read()).code, (await conn.read()).code, (await conn.read()).code, (await conn.read()).code], [200, 257, 215, 200]);
  });

  it('survives a client that vanishes mid-command without touching other sessions', async (t) => {
    const other = await ControlConnection.login(server.port);
    t.after(() => other.close());
    for (let i = 0; i < 20; i++) {
      const { conn } = await ControlConnection.open(server.port);
      t.after(() => conn.close());
      conn.write('USER anonymous\r\nPASS x\r\nLIST\r\nRETR hello.txt\r\nSTOR half');
      conn.socket.resetAndDestroy();
    }
    assert.equal((await other.send('NOOP')).code, 200);
  });
});

describe('staying inside the root', () => {
  it('keeps CWD .. at the root', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('CWD ..', 250);
    assert.match((await conn.expect('PWD', 257)).text, /^"\/" /);
    await conn.expect('CDUP', 250);
    assert.match((await conn.expect('PWD', 257)).text, /^"\/" /);
  });

  it('refuses paths that climb out with 550', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    for (const p of ['../outside.txt', '/../outside.txt', '/../../etc/passwd', '..\\outside.txt', 'sub/../../outside.txt', '../root/../outside.txt']) {
      const { final } = await conn.receive(`RETR ${p}`);
      assert.equal(final.code, 550, p);
      assert.equal((await conn.send(`MDTM ${p}`)).code, 550, p);
    }
  });

  it('resolves .. inside the root normally', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    const { data, final } = await conn.receive('RETR sub/../hello.txt');
    assert.equal(final.code, 226);
    assert.equal(data.toString(), 'hello\n');
  });
});

describe('information commands', () => {
  it('lists extensions in FEAT, generated from the command table', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    const feat = await conn.expect('FEAT', 211);
    const features = feat.lines.slice(1, -1).map((l) => l.trim());
    for (const f of ['EPSV', 'EPRT', 'MDTM', 'SIZE', 'REST STREAM', 'UTF8', 'TVFS']) assert.ok(features.includes(f), f);
    assert.ok(features.some((f) => f.startsWith('MLST type*;size*;modify*;')));
    for (const line of feat.lines.slice(1, -1)) assert.match(line, /^ \S/);
  });

  it('answers SYST, NOOP, OPTS UTF8 ON, MODE, STRU and TYPE', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    assert.equal((await conn.expect('SYST', 215)).text, 'UNIX Type: L8');
    await conn.expect('NOOP', 200);
    await conn.expect('OPTS UTF8 ON', 200);
    await conn.expect('MODE S', 200);
    await conn.expect('MODE B', 504);
    await conn.expect('STRU F', 200);
    await conn.expect('STRU R', 504);
    await conn.expect('TYPE I', 200);
    await conn.expect('TYPE A', 200);
    await conn.expect('TYPE E', 504);
  });

  it('gives HELP for all verbs and for one', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    const help = await conn.expect('HELP', 214);
    assert.ok(help.lines.some((l) => /\bRETR\b/.test(l)));
    assert.match((await conn.expect('HELP RETR', 214)).text, /RETR <file>/);
  });

  it('reports SIZE and MDTM of a file, and refuses SIZE of a directory', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    assert.equal((await conn.expect('SIZE hello.txt', 213)).text, '6');
    assert.match((await conn.expect('MDTM hello.txt', 213)).text, /^\d{14}$/);
    await conn.expect('SIZE sub', 550);
    await conn.expect('SIZE missing', 550);
  });

  it('describes one entry with MLST on the control connection', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    const reply = await conn.expect('MLST hello.txt', 250);
    assert.equal(reply.lines.length, 3);
    assert.match(reply.lines[1], /^ type=file;size=6;modify=\d{14};perm=[a-z]+;unique=[0-9a-fg]+;unix\.mode=0\d{3}; \/hello\.txt$/);
  });

  it('chooses MLST facts with OPTS MLST', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    assert.equal((await conn.expect('OPTS MLST size;type;', 200)).text, 'MLST OPTS type;size;');
    assert.match((await conn.expect('MLST hello.txt', 250)).lines[1], /^ type=file;size=6; \/hello\.txt$/);
  });

  it('shows status with STAT and a listing with STAT PATH', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    assert.match((await conn.expect('STAT', 211)).text, /Logged in as anonymous/);
    const listing = await conn.expect('STAT sub', 213);
    assert.ok(listing.lines.some((l) => / inner\.txt$/.test(l)));
  });
});

describe('listings', () => {
  it('sends LIST in ls -l form, ignoring -la', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    for (const cmd of ['LIST', 'LIST -la', 'LIST -la /']) {
      const { preliminary, data, final } = await conn.receive(cmd);
      assert.equal(preliminary.code, 150);
      assert.equal(final.code, 226);
      const lines = data.toString().split('\r\n').filter(Boolean);
      assert.ok(
        lines.some((l) => /^-rw-r--r-- .* 6 \w{3} [ \d]\d [\d:]{5} hello\.txt$/.test(l)),
        lines.join('\n'),
      );
      assert.ok(lines.some((l) => /^d.* sub$/.test(l)));
    }
  });

  it('ignores ls-style flags before the path in LIST and NLST, combined or separate, as ncftpls and vsftpd do', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    for (const cmd of ['NLST -1', 'NLST -a', 'NLST -l', 'NLST -la', 'NLST -al', 'NLST -a -l', 'NLST -1 /', 'NLST -a -1 /']) {
      const { final, data } = await conn.receive(cmd);
      assert.equal(final.code, 226, `${cmd}: ${final.code} ${final.text}`);
      assert.deepEqual(data.toString().split('\r\n').filter(Boolean).sort(), ['hello.txt', 'sub'], cmd);
    }
    for (const cmd of ['LIST -1', 'LIST -l', 'LIST -a -l sub', 'LIST -al sub']) {
      const { final, data } = await conn.receive(cmd);
      assert.equal(final.code, 226, `${cmd}: ${final.code} ${final.text}`);
      assert.ok(data.toString().length > 0, cmd);
    }
  });

  it('refuses a recursive listing (-R) with 501 and a reason, rather than sending a flat one as if it were recursive', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    for (const cmd of ['LIST -R', 'LIST -laR /', 'NLST -R sub']) {
      const { final } = await conn.receive(cmd);
      assert.equal(final.code, 501, cmd);
      assert.match(final.text, /recursive/i);
    }
  });

  it('still reaches a file whose name begins with a dash, by ./-1 or by a name that is not only flags', async (t) => {
    fs.mkdirSync(path.join(root, 'dashes'));
    fs.writeFileSync(path.join(root, 'dashes', '-1'), 'one');
    fs.writeFileSync(path.join(root, 'dashes', '-rf.txt'), 'two');
    // Removed afterwards: the other listing tests expect the root's two entries only.
    t.after(() => fs.rmSync(path.join(root, 'dashes'), { recursive: true }));
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('CWD dashes', 250);
    assert.equal((await conn.receive('NLST ./-1')).data.toString(), './-1\r\n');
    assert.equal((await conn.receive('NLST -rf.txt')).data.toString(), '-rf.txt\r\n');
    assert.equal((await conn.receive('NLST -1 -rf.txt')).data.toString(), '-rf.txt\r\n');
    assert.deepEqual((await conn.receive('NLST -1')).data.toString().split('\r\n').filter(Boolean).sort(), ['-1', '-rf.txt']);
    assert.equal((await conn.receive('RETR -1')).data.toString(), 'one');
  });

  it('lists one file with LIST FILE', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    const { data } = await conn.receive('LIST sub/inner.txt');
    assert.match(data.toString(), / sub\/inner\.txt\r\n$/);
  });

  it('sends bare names with NLST', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    const { data, final } = await conn.receive('NLST');
    assert.equal(final.code, 226);
    assert.deepEqual(data.toString().split('\r\n').filter(Boolean).sort(), ['hello.txt', 'sub']);
  });

  it('sends MLSD with a cdir line and facts per entry', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    const { data, final } = await conn.receive('MLSD');
    assert.equal(final.code, 226);
    const lines = data.toString().split('\r\n').filter(Boolean);
    assert.match(lines[0], /^type=cdir;.* \.$/);
    assert.ok(
      lines.some((l) => /^type=dir;modify=\d{14};perm=[a-z]+;unique=[^;]+;unix\.mode=0755; sub$/.test(l)),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => /^type=file;size=6;.* hello\.txt$/.test(l)));
  });

  it('refuses MLSD of a file and LIST of a missing directory with 550 and no data connection', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    assert.equal((await conn.receive('MLSD hello.txt')).final.code, 550);
    assert.equal((await conn.receive('LIST missing')).final.code, 550);
    assert.equal((await conn.send('NOOP')).code, 200);
  });
});

describe('files and transfers', () => {
  it('stores, retrieves, renames and deletes a file', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    const payload = Buffer.from('binary\0data\r\n\xff', 'latin1');
    assert.equal((await conn.sendData('STOR t1.bin', payload)).final.code, 226);
    assert.deepEqual(fs.readFileSync(path.join(root, 't1.bin')), payload);
    assert.deepEqual((await conn.receive('RETR t1.bin')).data, payload);
    await conn.expect('RNFR t1.bin', 350);
    await conn.expect('RNTO t2.bin', 250);
    assert.ok(fs.existsSync(path.join(root, 't2.bin')));
    await conn.expect('DELE t2.bin', 250);
    assert.ok(!fs.existsSync(path.join(root, 't2.bin')));
    await conn.expect('DELE t2.bin', 550);
  });

  it('requires RNFR right before RNTO', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('RNTO x', 503);
    await conn.expect('RNFR hello.txt', 350);
    await conn.expect('NOOP', 200);
    await conn.expect('RNTO x', 503);
    await conn.expect('RNFR missing', 550);
  });

  it('makes, enters and removes directories, quoting the path in 257', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    assert.equal((await conn.expect('MKD new "dir"', 257)).text, '"/new ""dir""" created');
    await conn.expect('MKD new "dir"', 550);
    await conn.expect('CWD new "dir"', 250);
    assert.equal((await conn.expect('PWD', 257)).text, '"/new ""dir""" is the current directory');
    await conn.expect('CDUP', 250);
    await conn.expect('RMD new "dir"', 250);
    await conn.expect('CWD hello.txt', 550);
  });

  it('resumes a download with REST', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    await conn.expect('REST 2', 350);
    assert.equal((await conn.receive('RETR hello.txt')).data.toString(), 'llo\n');
  });

  it('answers 425 for a transfer without PASV or PORT', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('RETR hello.txt', 425);
  });

  it('opens an active data connection at the transfer command, not at PORT (RFC 959 3.2)', async (t) => {
    const net = await import('node:net');
    const listener = net.createServer();
    let accepted = 0;
    // The file's bytes as the listener received them: the 226 on the control connection can be
    // read before this process handles the accept, so the test waits for the data socket itself.
    const received = new Promise<Buffer>((resolve) => {
      listener.on('connection', (socket) => {
        accepted++;
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('end', () => resolve(Buffer.concat(chunks)));
      });
    });
    listener.listen(0, '127.0.0.1');
    t.after(() => listener.close());
    await new Promise((r) => listener.once('listening', r));
    const { port } = listener.address() as { port: number };
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect(`PORT 127,0,0,1,${port >> 8},${port & 255}`, 200);
    await conn.expect('TYPE I', 200);
    await conn.expect('NOOP', 200);
    assert.equal(accepted, 0);
    await conn.expect('RETR hello.txt', 150);
    assert.equal((await conn.read()).code, 226);
    assert.equal((await received).toString(), 'hello\n');
    assert.equal(accepted, 1);
  });

  it('answers REIN with 502: RFC 959 4.1.1 lets a server leave it out', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('REIN', 502);
    await conn.expect('PWD', 257);
  });

  it('transfers over PASV as well as EPSV', async (t) => {
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    const reply = await conn.expect('PASV', 227);
    const nums = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(reply.text)!.slice(1).map(Number);
    assert.deepEqual(nums.slice(0, 4), [127, 0, 0, 1]);
    const net = await import('node:net');
    const data = net.connect({ host: '127.0.0.1', port: nums[4] * 256 + nums[5] });
    t.after(() => data.destroy());
    const chunks: Buffer[] = [];
    data.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise((r) => data.on('close', r));
    await conn.expect('RETR hello.txt', 150);
    await closed;
    assert.equal((await conn.read()).code, 226);
    assert.equal(Buffer.concat(chunks).toString(), 'hello\n');
  });
});

describe('many sessions', () => {
  it('serves 300 sessions at once, each with its own state', async (t) => {
    const count = 300;
    const conns = await Promise.all(Array.from({ length: count }, () => ControlConnection.login(server.port)));
    t.after(() => conns.forEach((c) => c.close()));
    await Promise.all(conns.map((c, i) => (i % 2 === 0 ? c.expect('CWD sub', 250) : c.expect('NOOP', 200))));
    const pwds = await Promise.all(conns.map((c) => c.expect('PWD', 257)));
    pwds.forEach((reply, i) => assert.match(reply.text, i % 2 === 0 ? /^"\/sub"/ : /^"\/"/));
    const listings = await Promise.all(conns.slice(0, 100).map((c) => c.receive('NLST')));
    listings.forEach((l, i) => {
      const names = l.data.toString().split('\r\n').filter(Boolean).sort();
      assert.deepEqual(names, i % 2 === 0 ? ['inner.txt'] : ['hello.txt', 'sub']);
    });
  });
});

describe('hostile input', () => {
  it('answers random bytes with error replies and keeps serving everyone', async (t) => {
    const { randomBytes } = await import('node:crypto');
    const watcher = await ControlConnection.login(server.port);
    t.after(() => watcher.close());
    for (let round = 0; round < 20; round++) {
      const { conn } = await ControlConnection.open(server.port);
      t.after(() => conn.close());
      const garbage = randomBytes(4096);
      conn.write(Buffer.concat([Buffer.from('USER anonymous\r\nPASS x\r\n'), garbage, Buffer.from('\r\nNOOP\r\n')]));
      // Whatever the garbage was, the session answers and is still there for NOOP.
      let reply;
      do reply = await conn.read();
      while (!/NOOP ok/.test(reply.text) && !conn.closed);
      assert.equal(reply.code, 200);
      conn.close();
    }
    assert.equal((await watcher.send('NOOP')).code, 200);
  });
});
