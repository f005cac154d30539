/** NcFTP's one-shot tools, independent clients, against the real server: ncftpput, ncftpget and ncftpls. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MiB, randomFile, sha256File } from '../helpers/files.js';
import { useServer } from '../helpers/fixture.js';
import { run } from '../helpers/processes.js';
import { LOG_COMMANDS, recordCommands } from './support.js';

/** Runs one of ncftp's tools against the server; they take the port with -P and never prompt. */
async function ncftp(tool: 'ncftpput' | 'ncftpget' | 'ncftpls', port: number, ...args: string[]): Promise<string> {
  const result = await run(tool, ['-P', String(port), '-t', '10', ...args], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, `${tool} ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

describe('ncftp', () => {
  const f = useServer(LOG_COMMANDS);

  it('uploads a file under a name of its choosing with ncftpput -C, byte for byte', async () => {
    fs.mkdirSync(path.join(f.root, 'up'));
    const sum = randomFile(path.join(f.work, 'local.bin'), 2 * MiB + 5);
    const commands = recordCommands(f.server);
    await ncftp('ncftpput', f.server.port, '-C', '127.0.0.1', path.join(f.work, 'local.bin'), '/up/remote.bin');
    assert.equal(await sha256File(path.join(f.root, 'up', 'remote.bin')), sum);
    assert.ok((await commands()).includes('STOR /up/remote.bin'));
  });

  it('downloads a file to a name of its choosing with ncftpget -C, byte for byte', async () => {
    const sum = randomFile(path.join(f.root, 'served.bin'), 2 * MiB + 11);
    const commands = recordCommands(f.server);
    await ncftp('ncftpget', f.server.port, '-C', '127.0.0.1', '/served.bin', path.join(f.work, 'fetched.bin'));
    assert.equal(await sha256File(path.join(f.work, 'fetched.bin')), sum);
    assert.ok((await commands()).includes('RETR /served.bin'));
  });

  it('lists names with ncftpls -1, which sends "NLST -1"', async () => {
    fs.mkdirSync(path.join(f.root, 'names'));
    fs.writeFileSync(path.join(f.root, 'names', 'one.txt'), '1');
    fs.writeFileSync(path.join(f.root, 'names', 'two.txt'), '22');
    const commands = recordCommands(f.server);
    const out = await ncftp('ncftpls', f.server.port, '-1', `ftp://127.0.0.1/names/`);
    assert.deepEqual(out.split('\n').filter(Boolean).sort(), ['one.txt', 'two.txt']);
    assert.ok((await commands()).includes('NLST -1'));
  });

  it('lists in long form with ncftpls -l, sizes included', async () => {
    fs.mkdirSync(path.join(f.root, 'long'));
    fs.writeFileSync(path.join(f.root, 'long', 'seven.txt'), '7777777');
    const commands = recordCommands(f.server);
    const out = await ncftp('ncftpls', f.server.port, '-l', `ftp://127.0.0.1/long/`);
    assert.match(out, /^-rw-r--r-- .* 7 \w{3} [ \d]\d [\d:]{5} seven\.txt$/m);
    assert.ok((await commands()).some((c) => /^LIST\b/.test(c)));
  });
});
