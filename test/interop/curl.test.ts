/** curl, an independent client, against the real server: transfers, resume, CWD methods, active mode, IPv6, listings, quote commands, errors. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { MiB, randomFile, sha256File } from '../helpers/files.js';
import { useServer } from '../helpers/fixture.js';
import { run, type RunResult } from '../helpers/processes.js';
import { LOG_COMMANDS, recordCommands, verbs, writePrefix } from './support.js';

/** curl with these arguments, whatever its exit code. */
function curlRun(...args: string[]): Promise<RunResult> {
  return run('curl', ['--silent', '--show-error', '--connect-timeout', '10', '--max-time', '60', ...args], { timeoutMs: 70_000 });
}

/** curl's output; fails unless it exits 0. */
async function curl(...args: string[]): Promise<string> {
  const result = await curlRun(...args);
  assert.equal(result.code, 0, `curl ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

describe('curl', () => {
  const f = useServer(LOG_COMMANDS);

  it('uploads a 50 MiB file with -T and downloads it back, byte for byte', async () => {
    const sum = randomFile(path.join(f.work, 'round.bin'), 50 * MiB + 17);
    await curl('-T', path.join(f.work, 'round.bin'), `${f.server.url}/round.bin`);
    assert.equal(await sha256File(path.join(f.root, 'round.bin')), sum);
    await curl('-o', path.join(f.work, 'round-back.bin'), `${f.server.url}/round.bin`);
    assert.equal(await sha256File(path.join(f.work, 'round-back.bin')), sum);
  });

  it('completes a partly downloaded local file with -C - (REST, then RETR)', async () => {
    const sum = randomFile(path.join(f.root, 'resume-down.bin'), 2 * MiB);
    const partial = path.join(f.work, 'resume-down.bin');
    writePrefix(path.join(f.root, 'resume-down.bin'), partial, 700_001);
    const commands = recordCommands(f.server);
    await curl('-C', '-', '-o', partial, `${f.server.url}/resume-down.bin`);
    assert.equal(await sha256File(partial), sum);
    const sent = await commands();
    assert.ok(sent.includes('REST 700001'), sent.join(', '));
  });

  it('completes a partly uploaded remote file with -C - (SIZE, then APPE)', async () => {
    const local = path.join(f.work, 'resume-up.bin');
    const sum = randomFile(local, 2 * MiB);
    writePrefix(local, path.join(f.root, 'resume-up.bin'), 1_000_003);
    const commands = recordCommands(f.server);
    await curl('-C', '-', '-T', local, `${f.server.url}/resume-up.bin`);
    assert.equal(await sha256File(path.join(f.root, 'resume-up.bin')), sum);
    const sent = await commands();
    assert.ok(sent.includes('SIZE resume-up.bin'), sent.join(', '));
    assert.ok(sent.includes('APPE resume-up.bin'), sent.join(', '));
  });

  describe('fetching a file three directories down', () => {
    let sum = '';
    const url = () => `${f.server.url}/nested/two%20words/deep/file.bin`;
    before(() => {
      fs.mkdirSync(path.join(f.root, 'nested/two words/deep'), { recursive: true });
      sum = randomFile(path.join(f.root, 'nested/two words/deep/file.bin'), 100_000);
    });

    async function fetchWith(method: string): Promise<string[]> {
      const commands = recordCommands(f.server);
      const target = path.join(f.work, `${method}.bin`);
      await curl('--ftp-method', method, '-o', target, url());
      assert.equal(await sha256File(target), sum);
      return commands();
    }

    it('changes into each directory in turn with --ftp-method multicwd', async () => {
      const sent = await fetchWith('multicwd');
      assert.deepEqual(
        sent.filter((c) => c.startsWith('CWD ')),
        ['CWD nested', 'CWD two words', 'CWD deep'],
      );
      assert.ok(sent.includes('RETR file.bin'), sent.join(', '));
    });

    it('changes into the whole path at once with --ftp-method singlecwd', async () => {
      const sent = await fetchWith('singlecwd');
      assert.deepEqual(
        sent.filter((c) => c.startsWith('CWD ')),
        ['CWD nested/two words/deep'],
      );
      assert.ok(sent.includes('RETR file.bin'), sent.join(', '));
    });

    it('names the whole path in RETR without any CWD with --ftp-method nocwd', async () => {
      const sent = await fetchWith('nocwd');
      assert.ok(!verbs(sent).includes('CWD'), sent.join(', '));
      assert.ok(
        sent.some((c) => /^RETR \/?nested\/two words\/deep\/file\.bin$/.test(c)),
        sent.join(', '),
      );
    });
  });

  describe('in active mode (--ftp-port -)', () => {
    it('downloads over a data connection the server opens, announced with EPRT', async () => {
      const sum = randomFile(path.join(f.root, 'active-eprt.bin'), MiB);
      const commands = recordCommands(f.server);
      await curl('--ftp-port', '-', '-o', path.join(f.work, 'active-eprt.bin'), `${f.server.url}/active-eprt.bin`);
      assert.equal(await sha256File(path.join(f.work, 'active-eprt.bin')), sum);
      const sent = verbs(await commands());
      assert.ok(sent.includes('EPRT') && !sent.includes('PASV') && !sent.includes('EPSV'), sent.join(', '));
    });

    it('uploads over a data connection the server opens, announced with PORT when EPRT is disabled', async () => {
      const sum = randomFile(path.join(f.work, 'active-port.bin'), MiB);
      const commands = recordCommands(f.server);
      await curl('--ftp-port', '-', '--disable-eprt', '-T', path.join(f.work, 'active-port.bin'), `${f.server.url}/active-port.bin`);
      assert.equal(await sha256File(path.join(f.root, 'active-port.bin')), sum);
      const sent = verbs(await commands());
      assert.ok(sent.includes('PORT') && !sent.includes('EPRT'), sent.join(', '));
    });
  });

  describe('over IPv6', () => {
    const v6 = useServer(['--host', '::1', ...LOG_COMMANDS]);

    it('uploads and downloads with -g ftp://[::1]:PORT/, in extended passive mode', async () => {
      assert.equal(v6.server.host, '::1');
      const url = `ftp://[::1]:${v6.server.port}/v6.bin`;
      const sum = randomFile(path.join(v6.work, 'v6.bin'), MiB);
      const commands = recordCommands(v6.server);
      await curl('-g', '-T', path.join(v6.work, 'v6.bin'), url);
      await curl('-g', '-o', path.join(v6.work, 'v6-back.bin'), url);
      assert.equal(await sha256File(path.join(v6.root, 'v6.bin')), sum);
      assert.equal(await sha256File(path.join(v6.work, 'v6-back.bin')), sum);
      assert.equal(verbs(await commands()).filter((v) => v === 'EPSV').length, 2);
      assert.match(v6.server.output(), /connection opened .*client=::1:\d+/);
    });
  });

  it('lists a directory in ls -l form (LIST), a name with a space included', async () => {
    fs.mkdirSync(path.join(f.root, 'long'));
    fs.writeFileSync(path.join(f.root, 'long', 'one.txt'), '1');
    fs.writeFileSync(path.join(f.root, 'long', 'two words.txt'), '22');
    const out = await curl(`${f.server.url}/long/`);
    assert.match(out, /^-rw-r--r-- .* 2 \w{3} .* two words\.txt\r?$/m);
    assert.match(out, /^-rw-r--r-- .* 1 \w{3} .* one\.txt\r?$/m);
  });

  it('prints only the names in a directory with --list-only', async () => {
    fs.mkdirSync(path.join(f.root, 'names'));
    fs.writeFileSync(path.join(f.root, 'names', 'one.txt'), '1');
    fs.writeFileSync(path.join(f.root, 'names', 'two words.txt'), '22');
    fs.mkdirSync(path.join(f.root, 'names', 'child'));
    const out = await curl('--list-only', `${f.server.url}/names/`);
    assert.deepEqual(out.split(/\r?\n/).filter(Boolean).sort(), ['child', 'one.txt', 'two words.txt']);
  });

  describe('with -Q commands before the transfer', () => {
    it('deletes a file with -Q "DELE name"', async () => {
      fs.writeFileSync(path.join(f.root, 'doomed.txt'), 'x');
      await curl('-Q', 'DELE doomed.txt', `${f.server.url}/`);
      assert.ok(!fs.existsSync(path.join(f.root, 'doomed.txt')));
    });

    it('makes a directory with -Q "MKD name"', async () => {
      await curl('-Q', 'MKD made by curl', `${f.server.url}/`);
      assert.ok(fs.statSync(path.join(f.root, 'made by curl')).isDirectory());
    });

    it('renames a file with -Q "RNFR old" -Q "RNTO new"', async () => {
      fs.writeFileSync(path.join(f.root, 'before.txt'), 'renamed');
      await curl('-Q', 'RNFR before.txt', '-Q', 'RNTO after.txt', `${f.server.url}/`);
      assert.ok(!fs.existsSync(path.join(f.root, 'before.txt')));
      assert.equal(fs.readFileSync(path.join(f.root, 'after.txt'), 'utf8'), 'renamed');
    });
  });

  it('creates missing directories for an upload with --ftp-create-dirs', async () => {
    fs.writeFileSync(path.join(f.work, 'small.txt'), 'nested');
    await curl('--ftp-create-dirs', '-T', path.join(f.work, 'small.txt'), `${f.server.url}/a/b/c/small.txt`);
    assert.equal(fs.readFileSync(path.join(f.root, 'a/b/c/small.txt'), 'utf8'), 'nested');
  });

  it('exits 78 (remote file not found) for a file that is not there', async () => {
    const result = await curlRun('-o', path.join(f.work, 'none'), `${f.server.url}/missing.txt`);
    assert.equal(result.code, 78, result.stderr);
  });
});
