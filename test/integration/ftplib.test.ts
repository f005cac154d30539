/** Python's ftplib, an independent client, against the real server. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MiB, randomFile, sha256File } from '../helpers/files.js';
import { CLIENT_SCRIPTS } from '../helpers/paths.js';
import { useServer } from '../helpers/fixture.js';
import { run } from '../helpers/processes.js';

describe('Python ftplib', () => {
  const f = useServer();

  it('runs a whole session and moves a 50 MiB random file both ways intact', async () => {
    const source = path.join(f.work, 'up.bin');
    const target = path.join(f.work, 'down.bin');
    const sum = randomFile(source, 50 * MiB);
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
    assert.deepEqual(fs.readdirSync(f.root), []);
  });
});
