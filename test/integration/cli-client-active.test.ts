/**
 * `sockftp connect --active` run as a process with a piped session: every
 * transfer and listing over a data connection the server opens to the client
 * (EPRT, as the server's debug log shows), over IPv4 and IPv6, and PORT when
 * a server does not know EPRT.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { useServer } from '../helpers/fixture.js';
import { MiB, randomFile, removeDir, sha256File, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { run } from '../helpers/processes.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { tlsArgs } from '../security/support.js';

function client(target: string, script: string[], cwd: string, ...args: string[]) {
  return run(process.execPath, [CLI, 'connect', target, ...args], { cwd, input: script.join('\n') + '\n' });
}

const lines = (out: string) => out.split('\n').filter(Boolean);

const PYTHON = '/usr/bin/python3';

/** A root to serve and a client work directory, made before the suite and removed after it. */
function useDirs(): { root: string; work: string } {
  const dirs = { root: '', work: '' };
  before(() => {
    dirs.root = tempDir();
    dirs.work = tempDir();
  });
  after(() => {
    removeDir(dirs.root);
    removeDir(dirs.work);
  });
  return dirs;
}

/** Resolves with `text()` once `ready(text())` holds, checking again whenever `stream` brings more output. */
function whenOutput(stream: Readable, text: () => string, ready: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!ready(text())) return;
      done();
      resolve(text());
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`output never became ready:\n${text()}`));
    }, 10_000);
    const done = () => {
      clearTimeout(timer);
      stream.off('data', check);
    };
    stream.on('data', check);
    check();
  });
}

/** What the server logged from `offset` on, once `sessions` sessions have closed: the log of one client run. */
function logOfRun(server: RunningServer, offset: number, sessions: number): Promise<string> {
  const closed = (log: string) => (log.match(/connection closed/g) ?? []).length;
  return whenOutput(
    server.process.stdout!,
    () => server.output().slice(offset),
    (log) => closed(log) >= sessions,
  );
}

/** The commands of a debug log that set up or use a data connection, in order; EPRT's port becomes N. */
function transferCommands(log: string): string[] {
  return [...log.matchAll(/command=((?:EPRT|PORT|EPSV|PASV|REST|MLSD|LIST|RETR|STOR|APPE)\b.*)$/gm)].map((m) => m[1].replace(/\|\d+\|$/, '|N|'));
}

async function hasIPv6Loopback(): Promise<boolean> {
  const probe = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '::1', resolve));
    return true;
  } catch {
    return false;
  } finally {
    probe.close();
  }
}

describe('the client in active mode against sockftp', () => {
  const f = useServer(['--log-level', 'debug']);
  let sum: string;

  before(() => {
    sum = randomFile(path.join(f.work, 'a.bin'), 5 * MiB);
    // A download cut after 1000 bytes, for download -c to finish.
    fs.writeFileSync(path.join(f.work, 'c.bin.part'), fs.readFileSync(path.join(f.work, 'a.bin')).subarray(0, 1000));
  });

  it('runs the original commands with every data connection opened by the server (EPRT), also after connme', async () => {
    const offset = f.server.output().length;
    const result = await client(
      `127.0.0.1:${f.server.port}`,
      ['upload a.bin', 'upload a.bin', 'ls', 'size a.bin', 'download a.bin', 'download -c a.bin c.bin', 'rm a_1.bin', 'connme', 'ls', 'byebye'],
      f.work,
      '--active',
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stderr, '');
    const out = lines(result.stdout);
    assert.deepEqual(out, [
      `Connected to 127.0.0.1:${f.server.port}`,
      'Uploaded a.bin (5242880 bytes)',
      'Uploaded as a_1.bin (5242880 bytes): a.bin already exists',
      out[3],
      out[4],
      '5.00 MB (5242880 bytes)',
      'Downloaded as a_1.bin (5242880 bytes): a.bin already exists here',
      `Downloaded c.bin (${5 * MiB - 1000} bytes)`,
      'Deleted a_1.bin',
      'Connection closed',
      `New connection to 127.0.0.1:${f.server.port}`,
      out[11],
      'Bye',
    ]);
    assert.match(out[3], /^ +5242880 {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}a\.bin$/);
    assert.match(out[4], /^ +5242880 .* a_1\.bin$/);
    assert.match(out[11], /^ +5242880 .* a\.bin$/);
    assert.deepEqual(fs.readdirSync(f.root), ['a.bin']);
    assert.equal(await sha256File(path.join(f.root, 'a.bin')), sum);
    assert.equal(await sha256File(path.join(f.work, 'a_1.bin')), sum);
    assert.equal(await sha256File(path.join(f.work, 'c.bin')), sum);
    assert.ok(!fs.existsSync(path.join(f.work, 'c.bin.part')));

    const eprt = 'EPRT |1|127.0.0.1|N|';
    // Uploads list the directory first, to choose a free name; download -c continues with REST.
    assert.deepEqual(transferCommands(await logOfRun(f.server, offset, 2)), [
      ...[eprt, 'MLSD', eprt, 'STOR a.bin', eprt, 'MLSD', eprt, 'STOR a_1.bin', eprt, 'MLSD'],
      ...[eprt, 'RETR a.bin', eprt, 'REST 1000', 'RETR a.bin', eprt, 'MLSD'],
    ]);
    fs.rmSync(path.join(f.work, 'a_1.bin'));
    fs.rmSync(path.join(f.work, 'c.bin'));
  });

  it('fails a refused transfer with one line and goes on in active mode', async () => {
    fs.mkdirSync(path.join(f.root, 'docs'));
    fs.writeFileSync(path.join(f.root, 'docs', 'here.txt'), 'x');
    const result = await client(`127.0.0.1:${f.server.port}`, ['download missing.bin', 'upload -f a.bin nodir/a.bin', 'ls docs', 'byebye'], f.work, '--active');
    assert.equal(result.code, 1);
    const out = lines(result.stdout);
    assert.equal(out.length, 5, result.stdout);
    assert.match(out[1], /^Error: 550 .*missing\.bin/);
    assert.match(out[2], /^Error: 550 .*nodir/);
    assert.match(out[3], /^ +1 .* here\.txt$/);
    assert.equal(out[4], 'Bye');
    fs.rmSync(path.join(f.work, 'missing.bin.part'), { force: true });
  });
});

describe('the client in active mode over FTPS', () => {
  const d = useDirs();
  let server: RunningServer | null = null;

  before(async () => {
    server = await startServer(d.root, ['--log-level', 'debug', ...tlsArgs(d.work)]);
  });

  after(() => server?.stop());

  it('starts TLS as the client on the data connection it accepted, and moves the bytes intact', async () => {
    const sum = randomFile(path.join(d.work, 'secret.bin'), 2 * MiB + 3);
    const result = await client(
      `127.0.0.1:${server!.port}`,
      ['upload secret.bin', 'download secret.bin back.bin', 'bye'],
      d.work,
      '--tls',
      '--insecure',
      '--active',
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(await sha256File(path.join(d.root, 'secret.bin')), sum);
    assert.equal(await sha256File(path.join(d.work, 'back.bin')), sum);
    assert.match(server!.output(), /command=PROT P/);
    assert.match(server!.output(), /command=EPRT /);
  });
});

describe('the client over IPv6', () => {
  const d = useDirs();
  let server: RunningServer | null = null;
  let sum: string;

  before(async () => {
    sum = randomFile(path.join(d.work, 'six.bin'), 2 * MiB);
    if (await hasIPv6Loopback()) server = await startServer(d.root, ['--host', '::1', '--log-level', 'debug']);
  });

  after(() => server?.stop());

  for (const mode of ['passive', 'active'] as const) {
    it(`uploads, lists and downloads in ${mode} mode against a server on [::1]`, async (t) => {
      if (!server) return t.skip('this machine has no ::1');
      const offset = server.output().length;
      const local = `${mode}.bin`;
      const result = await client(
        `[::1]:${server.port}`,
        ['upload -f six.bin', 'ls', `download six.bin ${local}`, 'byebye'],
        d.work,
        ...(mode === 'active' ? ['--active'] : []),
      );
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const out = lines(result.stdout);
      assert.deepEqual(out, [`Connected to [::1]:${server.port}`, 'Uploaded six.bin (2097152 bytes)', out[2], `Downloaded ${local} (2097152 bytes)`, 'Bye']);
      assert.match(out[2], /^ +2097152 .* six\.bin$/);
      assert.equal(await sha256File(path.join(d.root, 'six.bin')), sum);
      assert.equal(await sha256File(path.join(d.work, local)), sum);
      const setup = mode === 'active' ? 'EPRT |2|::1|N|' : 'EPSV';
      assert.deepEqual(transferCommands(await logOfRun(server, offset, 1)), [setup, 'STOR six.bin', setup, 'MLSD', setup, 'RETR six.bin']);
    });
  }
});

describe('the client in active mode against a server without EPRT', () => {
  const d = useDirs();
  let pyftpd: ChildProcess | null = null;
  let log = '';
  let port = 0;
  let sum: string;

  before(async () => {
    sum = randomFile(path.join(d.work, 'a.bin'), 1 * MiB);
    const installed = await run(PYTHON, ['-c', 'import pyftpdlib'], { timeoutMs: 20_000 }).then(
      (r) => r.code === 0,
      () => false,
    );
    if (!installed) return;
    // pyftpdlib with EPRT taken out of its command table answers it 500, as an old server would.
    const script = [
      'import logging, sys',
      'from pyftpdlib.authorizers import DummyAuthorizer',
      'from pyftpdlib.handlers import FTPHandler',
      'from pyftpdlib.servers import FTPServer',
      'class Handler(FTPHandler):',
      "    proto_cmds = {k: v for k, v in FTPHandler.proto_cmds.items() if k != 'EPRT'}",
      'Handler.authorizer = DummyAuthorizer()',
      "Handler.authorizer.add_anonymous(sys.argv[1], perm='elradfmw')",
      'logging.basicConfig(level=logging.DEBUG)',
      "FTPServer(('127.0.0.1', 0), Handler).serve_forever()",
    ].join('\n');
    pyftpd = spawn(PYTHON, ['-W', 'ignore', '-c', script, d.root], { stdio: ['ignore', 'ignore', 'pipe'] });
    pyftpd.stderr!.setEncoding('utf8').on('data', (text: string) => (log += text));
    const started = /starting FTP server on [^:]+:(\d+)/;
    port = Number(
      started.exec(
        await whenOutput(
          pyftpd.stderr!,
          () => log,
          (text) => started.test(text),
        ),
      )![1],
    );
  });

  after(() => pyftpd?.kill('SIGTERM'));

  it('falls back to PORT after a 500 to EPRT', async (t) => {
    if (!pyftpd) return t.skip('python3-pyftpdlib is not installed (.ci/run installs it)');
    const result = await client(`127.0.0.1:${port}`, ['upload a.bin', 'ls', 'download a.bin b.bin', 'byebye'], d.work, '--active');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const out = lines(result.stdout);
    assert.deepEqual(out, [`Connected to 127.0.0.1:${port}`, 'Uploaded a.bin (1048576 bytes)', out[2], 'Downloaded b.bin (1048576 bytes)', 'Bye']);
    assert.match(out[2], / a\.bin$/);
    assert.equal(await sha256File(path.join(d.root, 'a.bin')), sum);
    assert.equal(await sha256File(path.join(d.work, 'b.bin')), sum);
    await whenOutput(
      pyftpd.stderr!,
      () => log,
      (text) => text.includes('<- QUIT'),
    );
    // EPRT is tried once; every data connection after it is set up with PORT, none passively.
    const setups = [...log.matchAll(/<- (EPRT|PORT|EPSV|PASV) /g)].map((m) => m[1]);
    assert.deepEqual(setups, ['EPRT', 'PORT', 'PORT', 'PORT', 'PORT']);
    assert.match(log, /-> 500 Command "EPRT" not understood/);
  });
});
