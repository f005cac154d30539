/**
 * The one-shot commands, `sockftp ls|get|put|rm|size|mkdir URL`, against a
 * sockftp server that has accounts only (no anonymous login): credentials
 * from the URL, SOCKFTP_PASSWORD and .netrc, and the exit code of every
 * outcome, each with its one line on stderr.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { useServer } from '../helpers/fixture.js';
import { MiB, randomFile, removeDir, sha256File, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { run, type RunResult } from '../helpers/processes.js';

const PASSWORD = 'correct horse';
/** The exit codes README documents. */
const EXIT = { ok: 0, failed: 1, usage: 2, connect: 3, login: 4, remote: 5, local: 6, verify: 7 };

describe('one-shot commands', () => {
  const config = tempDir();
  const users = path.join(config, 'users.json');
  // Registered before the server's hooks, so the account exists when the server starts.
  before(async () => {
    const added = await run(process.execPath, [CLI, 'user', 'add', 'alice', '--users', users], { env: { ...process.env, SOCKFTP_PASSWORD: PASSWORD } });
    assert.equal(added.code, 0, added.stderr);
  });
  const f = useServer(['--users', users, '--anonymous', 'off']);
  const netrc = path.join(config, 'netrc');
  after(() => removeDir(config));

  const url = (p = '', user = '') => `ftp://${user}127.0.0.1:${f.server.port}/${p}`;

  /** `sockftp ...args` in the work directory; no SOCKFTP_PASSWORD, and .netrc only where a test writes one. */
  function sockftp(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    const base: NodeJS.ProcessEnv = { ...process.env, NETRC: netrc, HOME: config };
    delete base.SOCKFTP_PASSWORD;
    return run(process.execPath, [CLI, ...args], { cwd: f.work, env: { ...base, ...env } });
  }

  function assertExit(result: RunResult, code: number, stderr: RegExp | string = ''): void {
    assert.equal(result.code, code, `${result.stdout}${result.stderr}`);
    if (typeof stderr === 'string') assert.equal(result.stderr, stderr);
    else assert.match(result.stderr, stderr);
    assert.doesNotMatch(result.stderr, /^\s+at /m, 'never a stack trace');
  }

  it('puts, lists, sizes, gets, makes a directory and removes, with the password from SOCKFTP_PASSWORD', async () => {
    const sum = randomFile(path.join(f.work, 'report.pdf'), MiB);
    const env = { SOCKFTP_PASSWORD: PASSWORD };
    let result = await sockftp(['put', 'report.pdf', url('', 'alice@')], env);
    assertExit(result, EXIT.ok);
    assert.equal(result.stdout, 'Uploaded report.pdf (1048576 bytes)\n');
    result = await sockftp(['ls', url('', 'alice@')], env);
    assertExit(result, EXIT.ok);
    assert.match(result.stdout, /^ +1048576 {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}report\.pdf\n$/);
    result = await sockftp(['size', url('report.pdf', 'alice@')], env);
    assert.equal(result.stdout, '1.00 MB (1048576 bytes)\n');
    result = await sockftp(['get', '--verify', url('report.pdf', 'alice@'), 'copy.pdf'], env);
    assertExit(result, EXIT.ok);
    assert.equal(result.stdout, "Downloaded copy.pdf (1048576 bytes)\nVerified copy.pdf: SHA-256 matches (the server's HASH)\n");
    assert.equal(await sha256File(path.join(f.work, 'copy.pdf')), sum);
    result = await sockftp(['mkdir', url('archive', 'alice@')], env);
    assertExit(result, EXIT.ok);
    assert.equal(result.stdout, 'Created directory archive\n');
    result = await sockftp(['rm', url('report.pdf', 'alice@')], env);
    assertExit(result, EXIT.ok);
    assert.equal(result.stdout, 'Deleted report.pdf\n');
    assert.deepEqual(fs.readdirSync(f.root), ['archive']);
    removeDir(path.join(f.root, 'archive'));
    for (const name of ['report.pdf', 'copy.pdf']) fs.rmSync(path.join(f.work, name));
  });

  it('takes the login and password from the .netrc entry of the host, or from its default', async () => {
    fs.writeFileSync(path.join(f.root, 'a.txt'), 'abc');
    fs.writeFileSync(netrc, `machine example.org login bob password nope\nmachine 127.0.0.1 login alice password "${PASSWORD}"\n`, { mode: 0o600 });
    let result = await sockftp(['size', url('a.txt')]);
    assertExit(result, EXIT.ok);
    assert.equal(result.stdout, '0.00 MB (3 bytes)\n');
    // A user named in the URL takes the password of that login's entry.
    result = await sockftp(['get', url('a.txt', 'alice@'), 'b.txt']);
    assertExit(result, EXIT.ok);
    // ~/.netrc when NETRC is not set, and its default entry for a host it does not name.
    fs.renameSync(netrc, path.join(config, '.netrc'));
    fs.writeFileSync(path.join(config, '.netrc'), `default login alice password "${PASSWORD}"\n`);
    result = await sockftp(['size', url('a.txt')], { NETRC: '' });
    assertExit(result, EXIT.ok);
    fs.rmSync(path.join(config, '.netrc'));
    fs.rmSync(path.join(f.root, 'a.txt'));
    fs.rmSync(path.join(f.work, 'b.txt'));
  });

  it('exits 4 when the login is refused, and 3 when it cannot connect', async () => {
    fs.writeFileSync(netrc, 'machine 127.0.0.1 login alice password wrong\n');
    assertExit(await sockftp(['ls', url()]), EXIT.login, /^sockftp: login as alice refused: 530 .*\n$/);
    fs.rmSync(netrc);
    // No credentials anywhere: anonymous, which this server refuses.
    assertExit(await sockftp(['ls', url()]), EXIT.login, /^sockftp: login as anonymous refused: 530 .*\n$/);
    assertExit(await sockftp(['ls', 'ftp://127.0.0.1:1/']), EXIT.connect, 'sockftp: cannot connect to 127.0.0.1:1: connection refused\n');
  });

  it('exits 5 when the server refuses or lacks the file, naming it', async () => {
    const env = { SOCKFTP_PASSWORD: PASSWORD };
    for (const command of ['get', 'size', 'rm']) {
      assertExit(await sockftp([command, url('missing.bin', 'alice@')], env), EXIT.remote, /^sockftp: 550 .*missing\.bin.*\n$/);
    }
    assertExit(await sockftp(['mkdir', url('no/such/parent', 'alice@')], env), EXIT.remote, /^sockftp: 550 .*\n$/);
    assert.deepEqual(fs.readdirSync(f.work), []);
  });

  it('exits 6 for a local file it cannot read or write', async () => {
    const env = { SOCKFTP_PASSWORD: PASSWORD };
    assertExit(await sockftp(['put', 'nothere.bin', url('', 'alice@')], env), EXIT.local, 'sockftp: nothere.bin: no such local file\n');
    fs.writeFileSync(path.join(f.root, 'a.txt'), 'abc');
    assertExit(
      await sockftp(['get', url('a.txt', 'alice@'), 'no/such/dir/a.txt'], env),
      EXIT.local,
      /^sockftp: no\/such\/dir\/a\.txt\.part: no such local file\n$/,
    );
    fs.rmSync(path.join(f.root, 'a.txt'));
  });

  it('exits 7 when --verify finds the copies differ', async () => {
    randomFile(path.join(f.root, 'v.bin'), 4096);
    const original = fs.readFileSync(path.join(f.root, 'v.bin'));
    fs.writeFileSync(path.join(f.work, 'v.bin.part'), original.subarray(0, 2048));
    fs.writeFileSync(path.join(f.root, 'v.bin'), Buffer.concat([Buffer.alloc(2048), original.subarray(2048)]));
    const result = await sockftp(['get', '-c', '--verify', url('v.bin', 'alice@')], { SOCKFTP_PASSWORD: PASSWORD });
    assertExit(result, EXIT.verify, /^sockftp: v\.bin: SHA-256 differs \(the server's HASH\): /);
    assert.equal(result.stdout, 'Downloaded v.bin (2048 bytes)\n');
    fs.rmSync(path.join(f.root, 'v.bin'));
    fs.rmSync(path.join(f.work, 'v.bin'));
  });

  it('exits 2 for a usage error: not a URL, no file in it, a missing argument, an unknown option', async () => {
    assertExit(await sockftp(['ls', 'example.org:21']), EXIT.usage, 'sockftp: "example.org:21" is not an ftp:// or ftps:// URL\n');
    assertExit(await sockftp(['get', url()]), EXIT.usage, `sockftp: ${url()} names no file: add its path, as in ftp://host/dir/file\n`);
    assertExit(await sockftp(['put', 'only-one-argument']), EXIT.usage, /^error: missing required argument 'url'\n/);
    assertExit(await sockftp(['size', '--frobnicate', url('a')]), EXIT.usage, /^error: unknown option '--frobnicate'\n/);
  });
});
