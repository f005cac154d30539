/**
 * Python's ftplib, an independent client, against the real server; the client
 * side is test/clients/ftplib_interop.py (one scenario per test) and
 * ftplib_session.py (a whole session).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MiB, randomFile, sha256File } from '../helpers/files.js';
import { useServer } from '../helpers/fixture.js';
import { CLIENT_SCRIPTS } from '../helpers/paths.js';
import { run } from '../helpers/processes.js';
import { LOG_COMMANDS, recordCommands, verbs } from './support.js';

describe('Python ftplib', () => {
  const f = useServer(LOG_COMMANDS);

  /** Runs one scenario of ftplib_interop.py and returns what it saw. */
  async function ftplib(scenario: string, ...args: string[]): Promise<Record<string, unknown>> {
    const script = path.join(CLIENT_SCRIPTS, 'ftplib_interop.py');
    const result = await run('python3', [script, scenario, f.server.host, String(f.server.port), ...args], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, `${scenario} exited ${result.code}: ${result.stderr}`);
    const seen = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.match(String(seen.quit), /^221 /);
    return seen;
  }

  /** Stores and retrieves a random file in one data connection mode; returns the verbs that set up the data connections. */
  async function roundTrip(mode: 'passive' | 'active'): Promise<string[]> {
    const sum = randomFile(path.join(f.work, `${mode}.bin`), 2 * MiB);
    const commands = recordCommands(f.server);
    const seen = await ftplib('roundtrip', mode, path.join(f.work, `${mode}.bin`), `${mode}.bin`, path.join(f.work, `${mode}-back.bin`));
    assert.match(String(seen.stor), /^226 /);
    assert.match(String(seen.retr), /^226 /);
    assert.equal(await sha256File(path.join(f.root, `${mode}.bin`)), sum);
    assert.equal(await sha256File(path.join(f.work, `${mode}-back.bin`)), sum);
    return verbs(await commands()).filter((v) => ['PASV', 'EPSV', 'PORT', 'EPRT'].includes(v));
  }

  it('runs a whole session and moves a 50 MiB random file both ways intact, leaving nothing behind', async () => {
    const source = path.join(f.work, 'up.bin');
    const target = path.join(f.work, 'down.bin');
    const sum = randomFile(source, 50 * MiB);
    const before = fs.readdirSync(f.root).sort();
    const result = await run('python3', [path.join(CLIENT_SCRIPTS, 'ftplib_session.py'), f.server.host, String(f.server.port), source, target]);
    assert.equal(result.code, 0, result.stderr);
    const seen = JSON.parse(result.stdout) as Record<string, string>;
    assert.match(seen.welcome, /^220 /);
    assert.match(seen.login, /^230 /);
    assert.equal(seen.pwd, '/');
    assert.equal(seen.mkd, '/py dir');
    assert.match(seen.stor, /^226 /);
    assert.equal(seen.size, 50 * MiB);
    assert.match(seen.retr, /^226 /);
    assert.deepEqual(seen.nlst, ['big.bin']);
    assert.deepEqual(seen.mlsd, [
      ['.', 'cdir', null],
      ['..', 'pdir', null],
      ['big.bin', 'file', String(50 * MiB)],
    ]);
    assert.match(seen.list_lines[0], / 52428800 \w{3} .* big\.bin$/);
    assert.match(seen.rename, /^250 /);
    assert.match(seen.delete, /^250 /);
    assert.match(seen.delete_again, /^550 /);
    assert.match(seen.rmd, /^250 /);
    assert.match(seen.quit, /^221 /);
    assert.equal(await sha256File(target), sum);
    assert.deepEqual(fs.readdirSync(f.root).sort(), before, 'the session removed what it made');
  });

  it('uploads and downloads in passive mode (PASV), byte for byte', async () => {
    assert.deepEqual(await roundTrip('passive'), ['PASV', 'PASV']);
  });

  it('uploads and downloads in active mode after set_pasv(False) (PORT), byte for byte', async () => {
    assert.deepEqual(await roundTrip('active'), ['PORT', 'PORT']);
  });

  it('mlsd() of a subdirectory gives "." as cdir, ".." as pdir, and each entry\'s type, size and modify facts', async () => {
    fs.mkdirSync(path.join(f.root, 'facts', 'child'), { recursive: true });
    fs.writeFileSync(path.join(f.root, 'facts', 'data.txt'), 'twelve bytes');
    const mtime = fs.statSync(path.join(f.root, 'facts', 'data.txt')).mtime;
    const seen = await ftplib('mlsd', '/facts');
    const entries = seen.entries as Array<[string, Record<string, string>]>;
    const facts = Object.fromEntries(entries);
    assert.deepEqual(entries.map(([name]) => name).sort(), ['.', '..', 'child', 'data.txt']);
    assert.equal(facts['.'].type, 'cdir');
    assert.equal(facts['..'].type, 'pdir');
    assert.equal(facts.child.type, 'dir');
    assert.equal(facts['data.txt'].type, 'file');
    assert.equal(facts['data.txt'].size, '12');
    // RFC 3659 2.3: YYYYMMDDHHMMSS in UTC.
    assert.equal(facts['data.txt'].modify, mtime.toISOString().replace(/\D/g, '').slice(0, 14));
    assert.match(facts['data.txt'].perm ?? '', /r/);
  });

  it('mlsd() of the root gives "." as cdir and no ".."', async () => {
    const seen = await ftplib('mlsd', '/');
    const entries = seen.entries as Array<[string, Record<string, string>]>;
    assert.equal(entries.find(([name]) => name === '.')?.[1].type, 'cdir');
    assert.equal(
      entries.find(([name]) => name === '..'),
      undefined,
    );
  });

  it('retrbinary(rest=N) downloads the file from byte N on', async () => {
    fs.writeFileSync(path.join(f.root, 'offset.bin'), Buffer.from('0123456789abcdefghij'));
    const seen = await ftplib('retr_from_offset', 'offset.bin', '13', path.join(f.work, 'offset-tail.bin'));
    assert.match(String(seen.retr), /^226 /);
    assert.equal(fs.readFileSync(path.join(f.work, 'offset-tail.bin'), 'utf8'), 'defghij');
  });

  it('storlines uploads a text file with LF endings in TYPE A and it arrives with LF endings; retrlines gives the lines back', async () => {
    const text = 'first line\nsecond line\n\ngröße ñ 日本\nlast line\n';
    fs.writeFileSync(path.join(f.work, 'lines.txt'), text);
    const seen = await ftplib('storlines', path.join(f.work, 'lines.txt'), 'lines.txt');
    assert.match(String(seen.stor), /^226 /);
    assert.equal(fs.readFileSync(path.join(f.root, 'lines.txt'), 'utf8'), text);
    assert.deepEqual(seen.lines, ['first line', 'second line', '', 'größe ñ 日本', 'last line']);
  });

  it('a TYPE A download sends the LF line endings on disk as CRLF on the wire', async () => {
    fs.writeFileSync(path.join(f.root, 'unix.txt'), 'one\ntwo\n\nthree\n');
    const seen = await ftplib('ascii_bytes_on_the_wire', 'unix.txt');
    assert.match(String(seen.retr), /^226 /);
    assert.equal(seen.wire, 'one\r\ntwo\r\n\r\nthree\r\n');
  });

  it('abort() during a big RETR gets 426 for the transfer, then 226 for ABOR, and the session goes on', async () => {
    randomFile(path.join(f.root, 'huge.bin'), 64 * MiB);
    const seen = await ftplib('abort_download', 'huge.bin');
    assert.ok((seen.received as number) > 0);
    assert.match(String(seen.aborted), /^426 /);
    assert.match(String(seen.abor), /^226 /);
    assert.match(String(seen.noop), /^200 /);
  });

  it('size() after voidcmd("TYPE I") gives the byte count of a file stored with storbinary', async () => {
    randomFile(path.join(f.work, 'sized.bin'), 1_234_567);
    const seen = await ftplib('stor_then_size', path.join(f.work, 'sized.bin'), 'sized.bin');
    assert.match(String(seen.stor), /^226 /);
    assert.equal(seen.size, 1_234_567);
  });

  it('STOU with a name already taken stores under a free name, which the 150 reply gives as "FILE: name"', async () => {
    fs.writeFileSync(path.join(f.root, 'taken.txt'), 'already here');
    fs.writeFileSync(path.join(f.work, 'unique.txt'), 'stored uniquely');
    const seen = await ftplib('stou', path.join(f.work, 'unique.txt'), 'taken.txt');
    assert.match(String(seen.stor), /^226 /);
    const stored = /^150 FILE: (.+)$/.exec(String(seen.preliminary))?.[1];
    assert.ok(stored && stored !== 'taken.txt', String(seen.preliminary));
    assert.equal(fs.readFileSync(path.join(f.root, stored), 'utf8'), 'stored uniquely');
    assert.equal(fs.readFileSync(path.join(f.root, 'taken.txt'), 'utf8'), 'already here');
  });

  it('size() in ASCII mode is refused with 550, since the size on the wire would differ', async () => {
    fs.writeFileSync(path.join(f.root, 'text.txt'), 'a\nb\n');
    const seen = await ftplib('size_in_ascii_mode', 'text.txt');
    assert.match(String(seen.refused), /^550 /);
  });
});
