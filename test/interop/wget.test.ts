/** GNU Wget, an independent client, against the real server: recursive download, resume, active mode. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MiB, randomFile, sha256File } from '../helpers/files.js';
import { useServer } from '../helpers/fixture.js';
import { run } from '../helpers/processes.js';
import { LOG_COMMANDS, UTF8_NAME, digestTree, recordCommands, verbs, writePrefix, writeTree } from './support.js';

async function wget(...args: string[]): Promise<void> {
  const result = await run('wget', ['--no-verbose', '--timeout=10', '--tries=1', ...args], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, `wget ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
}

describe('wget', () => {
  const f = useServer(LOG_COMMANDS);

  it('downloads a tree with -r -nH, subdirectories and names with spaces and UTF-8 included, byte for byte', async () => {
    const served = writeTree(path.join(f.root, 'site'), {
      'readme.txt': 120,
      [UTF8_NAME]: 3000,
      'sub/with space.bin': 70_000,
      'sub/deeper/empty': 0,
    });
    const target = path.join(f.work, 'recursive');
    await wget('-r', '-nH', '-P', target, `${f.server.url}/site/`);
    // Wget parses a LIST of each directory into a .listing file and, by default, removes it afterwards:
    // the local tree holds the served files and nothing else.
    assert.deepEqual(digestTree(path.join(target, 'site')), served);
  });

  it('completes a partly downloaded local file with -c (REST, then RETR)', async () => {
    const sum = randomFile(path.join(f.root, 'resume.bin'), 2 * MiB);
    const partial = path.join(f.work, 'resume.bin');
    writePrefix(path.join(f.root, 'resume.bin'), partial, 999_999);
    const commands = recordCommands(f.server);
    await wget('-c', '-O', partial, `${f.server.url}/resume.bin`);
    assert.equal(await sha256File(partial), sum);
    assert.ok((await commands()).includes('REST 999999'));
  });

  it('downloads over a data connection the server opens with --no-passive-ftp (PORT)', async () => {
    const sum = randomFile(path.join(f.root, 'active.bin'), MiB);
    const commands = recordCommands(f.server);
    await wget('--no-passive-ftp', '-O', path.join(f.work, 'active.bin'), `${f.server.url}/active.bin`);
    assert.equal(await sha256File(path.join(f.work, 'active.bin')), sum);
    const sent = verbs(await commands());
    assert.ok(sent.includes('PORT') && !sent.includes('PASV'), sent.join(', '));
  });
});
