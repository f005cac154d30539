/**
 * `sockftp serve --config FILE` as an operator uses it: the file's settings
 * in force, flags over the file, one-line refusals, and SIGHUP applying
 * limits and the log level at once while saying what needs a restart.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { CLI, REPO_ROOT } from '../helpers/paths.js';
import { run } from '../helpers/processes.js';
import { startServe, type RunningServer } from '../helpers/server.js';

let dir: string;
let root: string;
before(() => {
  dir = tempDir();
  root = path.join(dir, 'root');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, 'hello.txt'), 'hello');
});
after(() => removeDir(dir));

let files = 0;
/** A config file of these lines, with `root` set to the test's directory unless the lines give one. */
function configFile(...lines: string[]): string {
  const file = path.join(dir, `sockftp-${++files}.toml`);
  rewrite(file, ...lines);
  return file;
}

function rewrite(file: string, ...lines: string[]): void {
  const text = lines.some((l) => l.startsWith('root')) ? lines : [`root = ${JSON.stringify(root)}`, ...lines];
  fs.writeFileSync(file, text.join('\n') + '\n');
}

/** Runs the server from `file` (and `args`), stops it after `body`. */
async function withServer(file: string, args: readonly string[], body: (server: RunningServer) => Promise<void>): Promise<void> {
  const server = await startServe(['--config', file, ...args]);
  try {
    await body(server);
  } finally {
    assert.equal(await server.stop(), 0);
  }
}

/** What the server greets a new connection with (220, or 421 over a limit). */
async function greeting(port: number): Promise<number> {
  const { conn, greeting } = await ControlConnection.open(port);
  if (greeting.code !== 220) await conn.waitClosed();
  else conn.close();
  return greeting.code;
}

/** Sends SIGHUP and waits until the server has printed `pattern` once more than before. */
async function hangup(server: RunningServer, pattern: RegExp): Promise<void> {
  const global = new RegExp(pattern.source, 'g');
  const count = (server.output().match(global) ?? []).length;
  server.process.kill('SIGHUP');
  await server.waitForOutput((text) => (text.match(global) ?? []).length > count);
}

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('serve --config', () => {
  it('listens on the port, serves the root and applies the anonymous policy and limits the file gives', async (t) => {
    const port = await freePort();
    const file = configFile(`port = ${port}`, 'anonymous = "read"', 'max-per-ip = 1', 'tls-session-reuse = false');
    await withServer(file, [], async (server) => {
      assert.equal(server.port, port);
      const conn = await ControlConnection.login(port);
      t.after(() => conn.close());
      assert.equal((await conn.receive('RETR hello.txt')).data.toString(), 'hello');
      assert.equal((await conn.sendData('STOR new.txt', Buffer.from('x'))).preliminary.code, 550);
      assert.equal(await greeting(port), 421, 'a second connection from the same address is over max-per-ip = 1');
      conn.close();
    });
  });

  it('takes numbers as TOML strings too', async (t) => {
    await withServer(configFile('port = "0"', 'max-per-ip = "1"'), [], async (server) => {
      const conn = await ControlConnection.login(server.port);
      t.after(() => conn.close());
      assert.equal(await greeting(server.port), 421);
      conn.close();
    });
  });

  it('lets a flag given on the command line win over the file', async (t) => {
    await withServer(configFile('port = 0', 'max-per-ip = 1'), ['--max-per-ip', '2'], async (server) => {
      const first = await ControlConnection.login(server.port);
      t.after(() => first.close());
      const second = await ControlConnection.login(server.port);
      t.after(() => second.close());
      assert.equal(await greeting(server.port), 421);
      first.close();
      second.close();
    });
  });

  it('lets ROOT given on the command line win over the file', async () => {
    const other = path.join(dir, 'other');
    fs.mkdirSync(other);
    await withServer(configFile('port = 0'), [other], async (server) => {
      assert.match(server.output(), new RegExp(`serving ${other} at`));
    });
  });

  const missing = () => path.join(dir, 'missing.toml');
  for (const [what, lines, message] of [
    ['an unknown key, with the key it resembles', ['max-client = 5'], 'unknown key "max-client" (did you mean "max-clients"?)'],
    ['an unknown key like nothing known', ['colour = "blue"'], 'unknown key "colour"'],
    ['a port out of range, by its key', ['port = 70000'], '"port" must be between 0 and 65535'],
    ['a number that is not whole', ['idle-timeout = 1.5'], '"idle-timeout" must be a whole number, not "1.5"'],
    ['a bad anonymous policy', ['anonymous = "maybe"'], '"anonymous" must be off, read or write, not "maybe"'],
    ['a string where a boolean goes', ['tls-session-reuse = "no"'], '"tls-session-reuse" must be true or false, not "no"'],
    ['a table where a value goes', ['[port]', 'n = 1'], '"port" must be a string or a number, not a table'],
    ['a root that is not a directory', ['root = "/nonexistent/sockftp"'], '"root" /nonexistent/sockftp is not a directory'],
    ['"config" inside the file', ['config = "other.toml"'], 'unknown key "config"'],
    [
      'an admin address off loopback',
      ['admin-address = "0.0.0.0:9100"'],
      '"admin-address" 0.0.0.0:9100 is not a loopback address; add --admin-public to serve /metrics to the network',
    ],
    ['a TOML syntax error, with its line and column', ['port = 0', 'max-per-ip = '], 'line 3, column 14: invalid value'],
  ] as const) {
    it(`refuses ${what} in one line`, async () => {
      const file = configFile(...lines);
      const result = await run(process.execPath, [CLI, 'serve', '--config', file], { timeoutMs: 20_000 });
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `sockftp: --config ${file}: ${message}\n`);
    });
  }

  it('refuses a missing file in one line', async () => {
    const result = await run(process.execPath, [CLI, 'serve', '--config', missing()], { timeoutMs: 20_000 });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `sockftp: --config ${missing()}: no such file\n`);
  });

  it('still names the flag when the bad value was typed, not read from the file', async () => {
    const result = await run(process.execPath, [CLI, 'serve', '--config', configFile('port = 0'), '--max-per-ip', 'lots'], { timeoutMs: 20_000 });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'sockftp: --max-per-ip must be a whole number, not "lots"\n');
  });
});

describe('docs/sockftp.toml', () => {
  it("starts a server as it is, its paths made the test's and its address given by flags", async (t) => {
    const usersFile = path.join(dir, 'users.json');
    const added = await run(process.execPath, [CLI, 'user', 'add', 'carol', '--users', usersFile], {
      env: { ...process.env, SOCKFTP_PASSWORD: 'secret words' },
      timeoutMs: 20_000,
    });
    assert.equal(added.code, 0, added.stderr);
    const example = fs
      .readFileSync(path.join(REPO_ROOT, 'docs/sockftp.toml'), 'utf8')
      .replace('"/srv/ftp"', JSON.stringify(root))
      .replace('"/etc/sockftp/users.json"', JSON.stringify(usersFile))
      .replace('"/var/log/sockftp/xferlog"', JSON.stringify(path.join(dir, 'xferlog')));
    const file = path.join(dir, 'example.toml');
    fs.writeFileSync(file, example);
    await withServer(file, ['--host', '127.0.0.1', '--port', '0'], async (server) => {
      const { conn } = await ControlConnection.open(server.port);
      t.after(() => conn.close());
      await conn.expect('USER anonymous', 331);
      await conn.expect('PASS x@', 530);
      await conn.expect('USER carol', 331);
      await conn.expect('PASS secret words', 230);
      const port = Number(/\|\|\|(\d+)\|/.exec((await conn.expect('EPSV', 229)).text)![1]);
      assert.ok(port >= 30000 && port <= 30100, `passive port ${port} is in pasv-ports`);
      conn.close();
    });
  });
});

describe('SIGHUP with --config', () => {
  it('applies a new max-per-ip to new connections while the sessions already open go on', async (t) => {
    const file = configFile('port = 0', 'max-per-ip = 1');
    await withServer(file, [], async (server) => {
      const first = await ControlConnection.login(server.port);
      t.after(() => first.close());
      assert.equal(await greeting(server.port), 421);
      rewrite(file, 'port = 0', 'max-per-ip = 2');
      await hangup(server, /config file re-read .*applied=max-per-ip/);
      const second = await ControlConnection.login(server.port);
      t.after(() => second.close());
      assert.equal(await greeting(server.port), 421, 'the third is over the new limit of 2');
      await first.expect('NOOP', 200);
      assert.equal((await first.receive('RETR hello.txt')).data.toString(), 'hello');
      first.close();
      second.close();
    });
  });

  it("gives a session's next idle timer the new idle-timeout", async (t) => {
    const file = configFile('port = 0', 'idle-timeout = 300');
    await withServer(file, [], async (server) => {
      const conn = await ControlConnection.login(server.port);
      t.after(() => conn.close());
      rewrite(file, 'port = 0', 'idle-timeout = 1');
      await hangup(server, /config file re-read .*applied=idle-timeout/);
      // The command restarts the idle timer, now with one second.
      await conn.expect('NOOP', 200);
      const closing = await conn.read(5_000);
      assert.equal(closing.code, 421);
      await conn.waitClosed();
    });
  });

  it('says a changed port needs a restart, and keeps listening where it was', async (t) => {
    const file = configFile('port = 0');
    await withServer(file, [], async (server) => {
      rewrite(file, `port = ${await freePort()}`, 'anonymous = "off"');
      await hangup(server, /config file re-read/);
      assert.match(server.output(), /WARN "port" changed; restart to apply/);
      assert.match(server.output(), /WARN "anonymous" changed; restart to apply/);
      assert.match(server.output(), /config file re-read .*applied=nothing/);
      const conn = await ControlConnection.login(server.port);
      t.after(() => conn.close());
      await conn.expect('QUIT', 221);
    });
  });

  it('logs a broken file with its reason and keeps every setting it had', async (t) => {
    const file = configFile('port = 0', 'max-per-ip = 1');
    await withServer(file, [], async (server) => {
      const first = await ControlConnection.login(server.port);
      t.after(() => first.close());
      rewrite(file, 'port = 0', 'max-per-ip = ');
      await hangup(server, /ERROR config file not re-read; the previous settings stay .*line 3, column 14: invalid value/);
      rewrite(file, 'port = 0', 'max-per-ip = 0');
      await hangup(server, /ERROR config file not re-read; the previous settings stay .*"max-per-ip" must be between 1 and 1000000/);
      assert.equal(await greeting(server.port), 421, 'max-per-ip is still 1');
      await first.expect('NOOP', 200);
      first.close();
    });
  });

  it('turns on debug logging: command lines are logged after the signal, not before', async (t) => {
    const file = configFile('port = 0', 'log-level = "info"');
    await withServer(file, [], async (server) => {
      const conn = await ControlConnection.login(server.port);
      t.after(() => conn.close());
      await conn.expect('SYST', 215);
      assert.doesNotMatch(server.output(), /DEBUG/);
      rewrite(file, 'port = 0', 'log-level = "debug"');
      await hangup(server, /config file re-read .*applied=log-level/);
      await conn.expect('STAT', 211);
      await server.waitForOutput(/DEBUG command .*command=STAT/);
      assert.doesNotMatch(server.output(), /command=SYST/);
      conn.close();
    });
  });
});
