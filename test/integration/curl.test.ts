/** curl, an independent client, against the real server. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MiB, randomFile, sha256File } from '../helpers/files.js';
import { useServer } from '../helpers/fixture.js';
import { run } from '../helpers/processes.js';

const curl = (...args: string[]) => run('curl', ['--silent', '--show-error', '--max-time', '120', ...args]);

describe('curl', () => {
  const f = useServer();

  it('uploads with -T and downloads a 50 MiB random file, byte for byte', async () => {
    const source = path.join(f.work, 'big.bin');
    const sum = randomFile(source, 50 * MiB);
    const up = await curl('-T', source, `${f.server.url}/big.bin`);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(await sha256File(path.join(f.root, 'big.bin')), sum);
    const target = path.join(f.work, 'back.bin');
    const down = await curl('-o', target, `${f.server.url}/big.bin`);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(await sha256File(target), sum);
  });

  it('lists a directory and only names with --list-only', async () => {
    fs.mkdirSync(path.join(f.root, 'listed'));
    fs.writeFileSync(path.join(f.root, 'listed', 'one.txt'), '1');
    fs.writeFileSync(path.join(f.root, 'listed', 'two words.txt'), '22');
    const long = await curl(`${f.server.url}/listed/`);
    assert.equal(long.code, 0, long.stderr);
    assert.match(long.stdout, /^-rw-r--r-- .* 2 \w{3} .* two words\.txt\r?$/m);
    const names = await curl('--list-only', `${f.server.url}/listed/`);
    assert.deepEqual(names.stdout.split(/\r?\n/).filter(Boolean).sort(), ['one.txt', 'two words.txt']);
  });

  it('deletes with -Q "DELE name"', async () => {
    fs.writeFileSync(path.join(f.root, 'doomed.txt'), 'x');
    const result = await curl('-Q', 'DELE doomed.txt', `${f.server.url}/`);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!fs.existsSync(path.join(f.root, 'doomed.txt')));
  });

  it('fails with curl exit code 78 for a missing file', async () => {
    const result = await curl('-o', path.join(f.work, 'none'), `${f.server.url}/missing.txt`);
    assert.equal(result.code, 78);
  });

  it('creates missing directories with --ftp-create-dirs', async () => {
    const source = path.join(f.work, 'small.txt');
    fs.writeFileSync(source, 'nested');
    const result = await curl('--ftp-create-dirs', '-T', source, `${f.server.url}/a/b/c/small.txt`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(fs.readFileSync(path.join(f.root, 'a/b/c/small.txt'), 'utf8'), 'nested');
  });
});
